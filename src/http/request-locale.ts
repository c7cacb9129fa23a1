import type { Locale } from '../config/config';
import { negotiateLocale } from '../common/i18n/translate';

/** The language of a request (Accept-Language) or of a WebSocket connection (connectionParams.locale: "fa", "fa-IR" or a list). */
export function requestLocale(value: unknown, defaultLocale: Locale): Locale {
  return negotiateLocale(typeof value === 'string' ? value : undefined, defaultLocale);
}
