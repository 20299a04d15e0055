import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs on stderr. Field names that could carry secrets are redacted wherever they appear.
 * `mixin` adds fields to every line from where it is written (the activity's ids, see activities).
 */
export function createLogger(level: string, name = 'bolt', mixin?: () => object): Logger {
  return pino(
    {
      name,
      level,
      ...(mixin ? { mixin } : {}),
      redact: {
        paths: [
          'password',
          'apiKey',
          'token',
          'secret',
          '*.password',
          '*.apiKey',
          '*.token',
          '*.secret',
          'DATABASE_URL',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}
