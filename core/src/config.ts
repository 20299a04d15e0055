import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { CredentialProvider } from './credential-providers.ts';
import { rateLimitsPattern } from './quota.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);

/** Every environment variable Bolt reads, with its default. README's table mirrors this schema. */
export const envSchema = z.object({
  BOLT_DATA_DIR: z.string().min(1).default('data'),
  BOLT_CACHE_DIR: z
    .string()
    .min(1)
    .default(path.join(os.homedir(), '.cache', 'bolt')),
  BOLT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BOLT_API_ONLY: bool.default(false),
  HOST: z.string().min(1).default('127.0.0.1'),
  BOLT_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  BOLT_CREDENTIALS_KEY: z
    .string()
    .refine(
      (v) => Buffer.from(v, 'base64').length === 32,
      'must be 32 bytes in base64 (openssl rand -base64 32)',
    )
    .optional(),
  BOLT_CORS_ORIGINS: z.string().default(''),
  BOLT_BODY_LIMIT_KB: z.coerce.number().int().min(1).max(102_400).default(1024),
  PORT: port.default(8080),
  /** A `bolt worker` serves its Prometheus metrics here (the API serves its own on PORT, at /metrics). */
  BOLT_METRICS_PORT: port.optional(),
  BOLT_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Traces go to this OTLP/HTTP (protobuf) collector; without it, no tracing at all. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),

  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('bolt'),
  /** Activities a worker runs at once: most of them wait on a provider, so far more than the cores. */
  BOLT_WORKER_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(32),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: bool.default(false),
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_UI_URL: z.url().optional(),

  DATABASE_URL: z.url().optional(),

  S3_BUCKET: z.string().min(1).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),

  GEMINI_BASE_URL: z.url().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  GOOGLE_TTS_BASE_URL: z.url().optional(),
  /** Server-wide keys, used for a job whose owner has stored none for that provider. */
  GEMINI_API_KEY: z.string().min(1).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  GOOGLE_TTS_API_KEY: z.string().min(1).optional(),
  /**
   * Each key's default limits, shared by every worker: requests per minute ("gemini=60"), and per
   * provider tokens (".tpm") or characters (".cpm") per minute and requests per day (".rpd").
   */
  BOLT_RATE_LIMITS: z
    .string()
    .regex(rateLimitsPattern, 'must look like gemini=60,gemini.tpm=1000000,gemini.rpd=1500,google-tts=300')
    .default('gemini=60,google-tts=300,openai=60'),
  /**
   * Requests in flight at once per provider in each worker, whatever the key: "google-tts=16". The
   * quota queue sets the pace; by default this allows as many as the worker runs activities, since a
   * lower cap holds slow requests (a long block takes seconds) back from a pace the keys allow.
   */
  BOLT_PROVIDER_CONCURRENCY: z
    .string()
    .regex(/^([a-z-]+=[1-9]\d*)(,[a-z-]+=[1-9]\d*)*$/, 'must look like gemini=16,google-tts=16')
    .default('gemini=32,google-tts=32,openai=32'),
  /** Price table overrides as JSON, merged over the built-in one (see core/src/prices.ts). */
  BOLT_PRICES: z
    .string()
    .refine((v) => {
      try {
        return typeof JSON.parse(v) === 'object';
      } catch {
        return false;
      }
    }, 'must be a JSON object')
    .optional(),

  BOLT_LOCAL_MODEL: z.string().min(1).optional(),
  BOLT_LOCAL_MAX_TOKENS: z.coerce.number().int().min(8).max(4096).default(220),
  /** Word error rate above which a chunk's speech, transcribed, is synthesized again (at most twice). */
  BOLT_MAX_WER: z.coerce.number().min(0).max(1).default(0.25),
  BOLT_LLM_THREADS: z.coerce.number().int().min(0).max(256).default(0),
  FFMPEG_PATH: z.string().min(1).optional(),
  ESPEAK_PATH: z.string().min(1).default('espeak-ng'),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads `file` (by default `.env` in the directory Bolt starts in: the checkout, for `npm start`) into
 * the environment with Node's own parser. A variable already set, even empty, keeps its value; no file
 * is not an error. Not the data directory's: BOLT_DATA_DIR itself may be set there.
 */
export function loadEnvFile(file = '.env'): boolean {
  try {
    process.loadEnvFile(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new ConfigError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Parses the environment once; a wrong value fails with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blanksRemoved = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.S3_BUCKET && !(e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError('Invalid configuration:\n  S3_ACCESS_KEY_ID: required when S3_BUCKET is set');
  }
  if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY)) {
    throw new ConfigError(
      'Invalid configuration:\n  TEMPORAL_TLS_KEY: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together',
    );
  }
  const dataDir = path.resolve(e.BOLT_DATA_DIR);
  return { ...e, dataDir, filesDir: path.join(dataDir, 'files') };
}

export type Config = Env & { dataDir: string; filesDir: string };

/** The server-wide keys, used by everyone who has stored none of their own for that provider. */
export function serverKeys(config: Env): Partial<Record<CredentialProvider, string>> {
  return {
    gemini: config.GEMINI_API_KEY,
    openai: config.OPENAI_API_KEY,
    'google-tts': config.GOOGLE_TTS_API_KEY,
  };
}
