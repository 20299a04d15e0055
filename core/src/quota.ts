import { z } from 'zod';
import {
  type CredentialProvider,
  credentialProviderNames,
  credentialProviders,
} from './credential-providers.ts';
import { fillPlaceholders } from './placeholders.ts';

const limit = z.number().int().min(1).max(1_000_000_000);

/**
 * What a provider lets one key do: requests per minute, tokens per minute (text calls), characters per
 * minute (speech calls) and requests per day. A limit left out is not enforced.
 */
export const quotaLimitsSchema = z.object({
  rpm: limit.optional(),
  tpm: limit.optional(),
  cpm: limit.optional(),
  rpd: limit.optional(),
});
export type QuotaLimits = z.infer<typeof quotaLimitsSchema>;
export const quotaMetrics = ['rpm', 'tpm', 'cpm', 'rpd'] as const;
type QuotaMetric = (typeof quotaMetrics)[number];

/** `BOLT_RATE_LIMITS`: "gemini=60,gemini.tpm=1000000,gemini.rpd=1500,google-tts=300,google-tts.cpm=150000". */
export const rateLimitsPattern = /^([a-z-]+(\.(rpm|tpm|cpm|rpd))?=\d+)(,[a-z-]+(\.(rpm|tpm|cpm|rpd))?=\d+)*$/;

/** The default limits per provider from `BOLT_RATE_LIMITS`; a bare number is requests per minute. */
export function parseRateLimits(spec: string): Partial<Record<CredentialProvider, QuotaLimits>> {
  const limits: Partial<Record<CredentialProvider, QuotaLimits>> = {};
  for (const pair of spec.split(',')) {
    const [name = '', value = ''] = pair.split('=');
    const [provider, metric = 'rpm'] = name.split('.') as [CredentialProvider, QuotaMetric | undefined];
    if (!credentialProviders.includes(provider)) continue;
    limits[provider] = { ...limits[provider], [metric]: Number(value) };
  }
  return limits;
}

/** What one request takes from its key's quota. */
export interface QuotaNeed {
  /** Input and output tokens of a text call (its reply's limit until the real count is known). */
  tokens?: number;
  /** Characters of a speech call. */
  chars?: number;
}

/** A key's use of its quota as every worker sees it (kept in PostgreSQL), times in epoch ms. */
export interface KeyPace {
  /** When the key may make its next request (requests are spaced evenly, never in bursts). */
  requestsAt: number;
  /** When its tokens, and its characters, per minute allow the next request. */
  tokensAt: number;
  charsAt: number;
  /** The quota day counted in `dayRequests`, by its start. */
  day: number;
  dayRequests: number;
  /** Until when the provider asked this key to rest (a 429 for the model asked for). */
  restUntil: number;
}

export const idlePace = (): KeyPace => ({
  requestsAt: 0,
  tokensAt: 0,
  charsAt: 0,
  day: 0,
  dayRequests: 0,
  restUntil: 0,
});

/**
 * Requests are spaced 2 % wider than the limit: they reach the provider with some jitter, and one that
 * arrives early would find the provider's window still full.
 */
const PACE_MARGIN = 1.02;
const MINUTE_MS = 60_000;

const spacing = (perMinute: number | undefined, amount = 1) =>
  perMinute ? (amount * MINUTE_MS * PACE_MARGIN) / perMinute : 0;

/** Why a key cannot be used yet: its pace, a rest the provider asked for, or its day's requests spent. */
export type QuotaReason = 'pace' | 'rest' | 'day';

/** When a key may take a request, and what holds it until then. */
export function availableAt(
  pace: KeyPace,
  limits: QuotaLimits,
  need: QuotaNeed,
  now: number,
): { at: number; reason: QuotaReason } {
  const day = quotaDayStart(now);
  if (limits.rpd && pace.day === day && pace.dayRequests >= limits.rpd)
    return { at: nextQuotaDay(now), reason: 'day' };
  const paced = Math.max(
    limits.rpm ? pace.requestsAt : 0,
    need.tokens && limits.tpm ? pace.tokensAt : 0,
    need.chars && limits.cpm ? pace.charsAt : 0,
  );
  if (pace.restUntil > paced) return { at: pace.restUntil, reason: 'rest' };
  return { at: paced, reason: 'pace' };
}

/** The key's pace once it takes a request at `now` (when `availableAt` allows it). */
export function take(pace: KeyPace, limits: QuotaLimits, need: QuotaNeed, now: number): KeyPace {
  const day = quotaDayStart(now);
  return {
    requestsAt: Math.max(pace.requestsAt, now) + spacing(limits.rpm),
    tokensAt: Math.max(pace.tokensAt, now) + spacing(limits.tpm, need.tokens ?? 0),
    charsAt: Math.max(pace.charsAt, now) + spacing(limits.cpm, need.chars ?? 0),
    day,
    dayRequests: (pace.day === day ? pace.dayRequests : 0) + 1,
    restUntil: pace.restUntil,
  };
}

/** How far a key's token pace moves when a text call used `actual` tokens where `reserved` were taken. */
export const tokenCorrection = (limits: QuotaLimits, reserved: number, actual: number) =>
  spacing(limits.tpm, actual - reserved);

/** Quota days begin at midnight Pacific time, as Google's daily quotas do. */
const QUOTA_TIME_ZONE = 'America/Los_Angeles';
const zoneParts = new Intl.DateTimeFormat('en-US', {
  timeZone: QUOTA_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** The time zone's offset from UTC at `t`, in ms (negative west of Greenwich). */
function zoneOffset(t: number): number {
  const parts = zoneParts.formatToParts(t);
  const n = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((x) => x.type === type)?.value);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(t / 1000) * 1000;
}

function dayStartOf(now: number): number {
  const wall = now + zoneOffset(now);
  const midnightWall = Math.floor(wall / 86_400_000) * 86_400_000;
  return midnightWall - zoneOffset(midnightWall - zoneOffset(now));
}

/** The quota day last worked out: nearly every request falls in it, and working one out is costly. */
let lastDay = { start: 0, next: 0 };

function quotaDay(now: number) {
  if (now < lastDay.start || now >= lastDay.next) {
    const start = dayStartOf(now);
    // The next day starts 23 to 25 hours later, by daylight saving time.
    lastDay = { start, next: dayStartOf(start + 26 * 3_600_000) };
  }
  return lastDay;
}

/** The start of the quota day `now` is in (epoch ms). */
export const quotaDayStart = (now: number): number => quotaDay(now).start;

/** The start of the next quota day. */
export const nextQuotaDay = (now: number): number => quotaDay(now).next;

/** A step waiting for quota, as the timeline, the API and `bolt run` show it. */
export const stepQuotaSchema = z.object({
  provider: z.enum(credentialProviders),
  /** Which key: "…1234" for a stored key, "server" for the server's own. */
  key: z.string(),
  reason: z.enum(['pace', 'rest', 'day', 'queue']),
  /** When the step's request may go, as far as can be told now. */
  nextAt: z.string(),
});
export type StepQuota = z.infer<typeof stepQuotaSchema>;

/**
 * How a quota wait is worded: a translator taking the English text with `{name}` placeholders, and how
 * a wait and a time are written. The defaults are `bolt run`'s: English, "12 s", the ISO time.
 */
export interface QuotaTextOptions {
  t?: (text: string, params?: Record<string, string>) => string;
  /** A wait in ms, always a whole number of seconds, at most an hour. */
  formatDuration?: (ms: number) => string;
  /** When the next slot comes, as an ISO time (for waits over an hour). */
  formatDate?: (iso: string) => string;
}

/** Beyond this, the next slot is said as a time rather than as "in 12 s". */
const AS_A_TIME_MS = 3_600_000;

/**
 * "waiting for quota (Gemini key …1234, next slot in 12 s)", with why when it is not just the pace: the
 * one wording of a step waiting for quota, for `bolt run` (the defaults) and the web app (its `translate`
 * and formatters). Each text is a literal passed to t, where the web's i18n test finds it.
 */
export function quotaWaitText(quota: StepQuota, now: number, options: QuotaTextOptions = {}): string {
  const {
    t = fillPlaceholders,
    formatDuration = (ms: number) => `${Math.round(ms / 1000)} s`,
    formatDate = (iso: string) => iso,
  } = options;
  const provider = credentialProviderNames[quota.provider] ?? quota.provider;
  const key =
    quota.key === 'server'
      ? t('{provider} server key', { provider })
      : t('{provider} key {key}', { provider, key: quota.key });
  const inMs = Math.max(0, Date.parse(quota.nextAt) - now);
  const when =
    inMs > AS_A_TIME_MS
      ? t('next slot at {time}', { time: formatDate(quota.nextAt) })
      : t('next slot in {time}', { time: formatDuration(Math.max(1, Math.ceil(inMs / 1000)) * 1000) });
  const why: Record<StepQuota['reason'], string> = {
    pace: '',
    queue: t('behind other requests'),
    rest: t('the provider asked to wait'),
    day: t('its requests for today are spent'),
  };
  const reason = why[quota.reason];
  return t('waiting for quota ({key}, {when})', { key: reason ? `${key}: ${reason}` : key, when });
}
