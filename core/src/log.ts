import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured logs on stderr. Field names that could carry secrets are redacted wherever they appear. */
export function createLogger(level: string, name = 'bolt'): Logger {
  return pino(
    {
      name,
      level,
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
