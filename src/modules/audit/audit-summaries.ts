import type { Locale } from '../../config/config';
import { AuditAction } from './audit-action';

/**
 * One line per action for people, in English and Persian. An event stores its action and the
 * parameters ({actor} and names, never a secret); the line is rendered in the reader's locale.
 */
const en: Record<AuditAction, string> = {
  PROVIDER_CREATED: '{actor} created provider {provider}',
  PROVIDER_UPDATED: '{actor} changed provider {provider} ({fields})',
  MODEL_CREATED: '{actor} registered model {model} of {provider}',
  MODEL_UPDATED: '{actor} changed model {model} of {provider} ({fields})',
  MODEL_DELETED: '{actor} deleted model {model} of {provider}',
  MODEL_ACTIVATED: '{actor} activated {model} for {provider} {capabilities}{reason}',
  MODEL_DEACTIVATED: '{actor} deactivated {model} for {provider} {capabilities}{reason}',
  SLOT_REVERTED: '{actor} reverted {provider}/{capability} to version {toVersion} ({model}){reason}',
  SCHEDULE_CREATED: '{actor} scheduled {model} for {provider} {capabilities} at {at}{reason}',
  SCHEDULE_CANCELLED: '{actor} cancelled the switch to {model} for {provider} {capabilities} planned at {at}',
  SCHEDULE_APPLIED: 'Scheduled switch by {actor} applied: {model} for {provider} {capabilities}{reason}',
  SCHEDULE_FAILED: 'Scheduled switch by {actor} to {model} for {provider} {capabilities} failed: {code}',
  USER_CREATED: '{actor} created user {user} ({role})',
  USER_UPDATED: '{actor} changed user {user} ({fields})',
  TOKEN_CREATED: '{actor} created token "{tokenName}" for {user}',
  TOKEN_REVOKED: '{actor} revoked token "{tokenName}" of {user}',
  PERSONAL_KEY_SET: '{actor} set a personal key for {provider} ({hint})',
  PERSONAL_KEY_REMOVED: '{actor} removed their personal key for {provider}',
};

const fa: Record<AuditAction, string> = {
  PROVIDER_CREATED: '{actor} ارائه‌دهندهٔ {provider} را ساخت',
  PROVIDER_UPDATED: '{actor} ارائه‌دهندهٔ {provider} را تغییر داد ({fields})',
  MODEL_CREATED: '{actor} مدل {model} از {provider} را ثبت کرد',
  MODEL_UPDATED: '{actor} مدل {model} از {provider} را تغییر داد ({fields})',
  MODEL_DELETED: '{actor} مدل {model} از {provider} را حذف کرد',
  MODEL_ACTIVATED: '{actor} مدل {model} را برای {provider} {capabilities} فعال کرد{reason}',
  MODEL_DEACTIVATED: '{actor} مدل {model} را برای {provider} {capabilities} غیرفعال کرد{reason}',
  SLOT_REVERTED: '{actor} جایگاه {provider}/{capability} را به نسخهٔ {toVersion} ({model}) برگرداند{reason}',
  SCHEDULE_CREATED: '{actor} جابه‌جایی به {model} را برای {provider} {capabilities} در {at} زمان‌بندی کرد{reason}',
  SCHEDULE_CANCELLED: '{actor} جابه‌جایی زمان‌بندی‌شده به {model} برای {provider} {capabilities} در {at} را لغو کرد',
  SCHEDULE_APPLIED: 'جابه‌جایی زمان‌بندی‌شدهٔ {actor} اجرا شد: {model} برای {provider} {capabilities}{reason}',
  SCHEDULE_FAILED: 'جابه‌جایی زمان‌بندی‌شدهٔ {actor} به {model} برای {provider} {capabilities} ناموفق بود: {code}',
  USER_CREATED: '{actor} کاربر {user} ({role}) را ساخت',
  USER_UPDATED: '{actor} کاربر {user} را تغییر داد ({fields})',
  TOKEN_CREATED: '{actor} توکن «{tokenName}» را برای {user} ساخت',
  TOKEN_REVOKED: '{actor} توکن «{tokenName}» از {user} را باطل کرد',
  PERSONAL_KEY_SET: '{actor} کلید شخصی برای {provider} ثبت کرد ({hint})',
  PERSONAL_KEY_REMOVED: '{actor} کلید شخصی خود برای {provider} را حذف کرد',
};

export const AUDIT_SUMMARIES: Record<Locale, Record<AuditAction, string>> = { en, fa };

/** Words the summaries fill in themselves: the server as actor, and the reason's lead-in. */
const WORDS: Record<Locale, { server: string; reason: string; empty: string }> = {
  en: { server: 'The server', reason: ' — reason: ', empty: 'empty' },
  fa: { server: 'سرور', reason: ' — دلیل: ', empty: 'خالی' },
};

export type SummaryParams = Record<string, string | number | null | undefined>;

/**
 * The event's line in `locale`. `actor` null is the server itself; `reason`, when present, is
 * appended; `model` null (an emptied slot) reads as "empty".
 */
export function renderSummary(locale: Locale, action: AuditAction, params: SummaryParams): string {
  const words = WORDS[locale] ?? WORDS.en;
  const template = (AUDIT_SUMMARIES[locale] ?? AUDIT_SUMMARIES.en)[action] ?? action;
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) values[k] = String(v);
  values.actor = values.actor ?? words.server;
  values.reason = values.reason ? words.reason + values.reason : '';
  if (!('model' in values)) values.model = words.empty;
  // One line: whatever a name or reason holds, newlines never reach the summary.
  return template
    .replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole)
    .replace(/\s+/g, ' ')
    .trim();
}
