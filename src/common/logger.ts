import pino, { type Logger } from 'pino';

let mixin: (() => Record<string, unknown>) | undefined;

/** Fields added to every log line (tracing adds the active trace_id and span_id); undefined: none. */
export function setLogMixin(next: (() => Record<string, unknown>) | undefined): void {
  mixin = next;
}

/**
 * Structured JSON logs. Anything that could carry a secret is redacted by path as a second line of
 * defence: the code never logs keys or tokens on purpose.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'switchboard' },
    mixin: () => (mixin ? mixin() : {}),
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        '*.authorization',
        'apiKey',
        '*.apiKey',
        'sharedApiKey',
        '*.sharedApiKey',
        'token',
        '*.token',
        'connectionParams',
        'variables',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
