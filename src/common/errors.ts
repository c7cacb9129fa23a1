import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ValidationError } from 'class-validator';
import type { Locale } from '../config/config';
import { translate, type MessageKey, type MessageParams } from './i18n/translate';

/** Every code a client can see in errors[].extensions.code. Stable: clients branch on them. */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  BAD_REQUEST = 'BAD_REQUEST',
  NO_ACTIVE_MODEL = 'NO_ACTIVE_MODEL',
  NO_API_ACCESS = 'NO_API_ACCESS',
  PROVIDER_AUTH_FAILED = 'PROVIDER_AUTH_FAILED',
  PROVIDER_RATE_LIMITED = 'PROVIDER_RATE_LIMITED',
  PROVIDER_ERROR = 'PROVIDER_ERROR',
  OPERATION_LIMIT_EXCEEDED = 'OPERATION_LIMIT_EXCEEDED',
  PERSISTED_QUERY_HASH_MISMATCH = 'PERSISTED_QUERY_HASH_MISMATCH',
}

/**
 * An expected failure with a stable code and a catalog message. Its message is English; the error
 * presenter renders it again in the caller's locale (HTTP: Accept-Language, WS: connectionParams).
 */
/**
 * Runs `make` with stack capture off. For errors that are expected outcomes (the client's mistakes),
 * answered by code and never debugged by stack: V8 walks the async chain to capture one, and that
 * was most of the cost of a NOT_FOUND answer, which a client with a typo can ask for thousands of
 * times a second.
 */
export function withoutStack<T>(make: () => T): T {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  readonly messageKey: MessageKey;
  readonly params: MessageParams;

  constructor(code: ErrorCode, messageKey: MessageKey, params: MessageParams = {}, extra: Record<string, unknown> = {}) {
    // No stack trace (see withoutStack; `super` cannot be called from a callback).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(translate('en', messageKey, params), { extensions: { code, ...extra } });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.code = code;
    this.messageKey = messageKey;
    this.params = params;
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** Each locale's message, made once: a kept error (an unknown slug's NOT_FOUND) is shown again and again. */
  #localized: Partial<Record<Locale, string>> = {};

  localized(locale: Locale): string {
    return (this.#localized[locale] ??= translate(locale, this.messageKey, this.params));
  }
}

export class UnauthenticatedError extends AppError {
  constructor(key: 'auth.unauthenticated' | 'auth.invalidToken' = 'auth.unauthenticated') {
    super(ErrorCode.UNAUTHENTICATED, key, {}, { http: { status: 401 } });
  }
}
export class ForbiddenError extends AppError {
  constructor(key: MessageKey, params: MessageParams = {}) {
    super(ErrorCode.FORBIDDEN, key, params);
  }
}
export class NotFoundError extends AppError {
  constructor(key: MessageKey, params: MessageParams = {}) {
    super(ErrorCode.NOT_FOUND, key, params);
  }
}
export class ConflictError extends AppError {
  constructor(key: MessageKey, params: MessageParams = {}, extra: Record<string, unknown> = {}) {
    super(ErrorCode.CONFLICT, key, params, extra);
  }
}
export class UserInputError extends AppError {
  constructor(key: MessageKey, params: MessageParams = {}, field?: string) {
    super(ErrorCode.BAD_USER_INPUT, key, params, field ? { field } : {});
  }
}
export class ServiceUnavailableError extends AppError {
  constructor(service: string) {
    super(ErrorCode.SERVICE_UNAVAILABLE, 'unavailable', { service }, { http: { status: 503 } });
  }
}

export type OperationLimitName = 'depth' | 'aliases' | 'cost' | 'tokens' | 'subscriptions';

/** An operation over one of the limits (src/graphql/operation-limits.ts): HTTP 400, nothing executed. */
export class OperationLimitError extends AppError {
  constructor(limit: OperationLimitName, max: number, actual: number) {
    super(ErrorCode.OPERATION_LIMIT_EXCEEDED, 'limits.exceeded', { limit, max, actual }, { limit, max, actual, http: { status: 400 } });
  }
}

/** The i18n key and parameters that validation decorators attach as class-validator `context`. */
export interface ValidationContext {
  key: MessageKey;
  params?: MessageParams;
}

interface FieldProblem {
  field: string;
  message: string;
}

function flattenValidation(errors: ValidationError[], locale: Locale, prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [constraint, fallback] of Object.entries(e.constraints ?? {})) {
      const ctx = e.contexts?.[constraint] as ValidationContext | undefined;
      const message = ctx ? translate(locale, ctx.key, { field, ...(ctx.params ?? {}) }) : `${field}: ${fallback}`;
      out.push({ field, message });
    }
    if (e.children?.length) out.push(...flattenValidation(e.children, locale, field));
  }
  return out;
}

// 57014: statement_timeout (or a cancel); 55P03: lock_timeout — the database is too busy to answer now.
const UNAVAILABLE_CODES = new Set([
  '57014',
  '55P03',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** True for "the database cannot be reached right now" (as opposed to a bug): the client should retry. */
export function isUnavailable(error: unknown): boolean {
  for (let e = error as { code?: string; name?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
    if (e.name === 'ConnectionException' || e.name === 'KnexTimeoutError') return true;
    if (
      typeof e.message === 'string' &&
      /Timeout acquiring a connection|Connection terminated|Query read timeout|timeout expired/.test(e.message)
    )
      return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** Where an error came from, unwrapping GraphQL's located-error wrapper. */
export function originalError(error: unknown): unknown {
  let e = error;
  while (e instanceof GraphQLError && e.originalError && e.originalError !== e) e = e.originalError;
  return e;
}

/**
 * graphql-js reports a bad variable as `Variable "$v" got invalid value <value>[ at "<path>"]; <reason>`,
 * quoting what the client sent: for an input with a secret in it (an API key), the secret. The value
 * is dropped, and so is the quoted value at the end of a reason ("… cannot represent a non string value: …").
 */
export function withoutVariableValue(message: string, error: unknown): string {
  const head = /^(Variable "\$\w+") got invalid value /.exec(message);
  if (!head) return message;
  let reason: string | undefined;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e.message !== message && message.endsWith(`; ${e.message}`)) {
      reason = e.message;
      break;
    }
    e = (e as { originalError?: unknown }).originalError;
  }
  if (reason === undefined) return `${head[1]} got an invalid value.`;
  const prefix = message.slice(0, message.length - reason.length - 2);
  const at = / at "[\w.[\]]*"$/.exec(prefix)?.[0] ?? '';
  const safeReason = reason.replace(/^Value "[^"]*"/, 'The value').replace(/(value)\s*: [\s\S]*$/i, '$1.');
  return `${head[1]} got an invalid value${at}: ${safeReason}`;
}

/**
 * Turns any error into what the client may see, in the caller's locale. Expected errors keep
 * their code and message; TypeGraphQL's validation errors become BAD_USER_INPUT with per-field
 * messages; anything else is masked as INTERNAL_SERVER_ERROR (the caller logs the original).
 */
export function presentError(
  formatted: GraphQLFormattedError,
  error: unknown,
  locale: Locale,
  requestId: string,
): { formatted: GraphQLFormattedError; unexpected: boolean } {
  const source = originalError(error);
  const base = { locations: formatted.locations, path: formatted.path };
  if (source instanceof AppError) {
    // Its own extensions win: Apollo re-codes errors raised by validation rules (GRAPHQL_VALIDATION_FAILED).
    const { http: _http, ...extensions } = { ...formatted.extensions, ...source.extensions } as Record<string, unknown>;
    return { formatted: { ...base, message: source.localized(locale), extensions }, unexpected: false };
  }
  const ext = (source instanceof GraphQLError ? source.extensions : formatted.extensions) ?? {};
  if (Array.isArray(ext.validationErrors)) {
    const fields = flattenValidation(ext.validationErrors as ValidationError[], locale);
    const details = fields.map((f) => f.message).join(' ');
    return {
      formatted: {
        ...base,
        message: translate(locale, 'input.invalid', { details }),
        extensions: { code: ErrorCode.BAD_USER_INPUT, fields },
      },
      unexpected: false,
    };
  }
  const code = formatted.extensions?.code as string | undefined;
  // Errors Apollo and graphql-js raise themselves (parse, validation, bad request, bad variables) are the client's.
  if (code && code !== (ErrorCode.INTERNAL_SERVER_ERROR as string)) {
    return { formatted: { ...formatted, message: withoutVariableValue(formatted.message, error) }, unexpected: false };
  }
  if (!code && source instanceof GraphQLError && !source.originalError) {
    // graphql-js execution errors such as a variable of the wrong type: input errors, not bugs.
    return { formatted: { ...formatted, extensions: { code: ErrorCode.BAD_USER_INPUT } }, unexpected: false };
  }
  if (isUnavailable(source)) {
    return {
      formatted: {
        ...base,
        message: translate(locale, 'unavailable', { service: 'postgres' }),
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
      },
      unexpected: false,
    };
  }
  return {
    formatted: {
      ...base,
      message: translate(locale, 'internal', { requestId }),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
    },
    unexpected: true,
  };
}
