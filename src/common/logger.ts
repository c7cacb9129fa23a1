import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Anything that could carry a secret is redacted by path as a second line of
 * defence: the code never logs keys or tokens on purpose.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'switchboard' },
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
  });
}

export type { Logger };
