/**
 * Request quotas per API key and per API, as Google and OpenAI enforce them: a requests-per-minute
 * limit over a sliding window of arrival times, and a requests-per-day limit whose day starts at
 * midnight America/Los_Angeles (as Google's daily quotas do). Only admitted requests count against
 * either limit: a refused request uses no quota, so a client that waits as told gets through.
 */

export interface Quota {
  requestsPerMinute?: number;
  requestsPerDay?: number;
}

export type QuotaRefusal = { limit: 'minute' | 'day'; retryDelaySeconds: number };

const MINUTE_MS = 60_000;
const pacificClock = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/Los_Angeles',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** The Pacific calendar day of a moment, and the seconds left in it. */
function pacificDay(now: number): { day: string; secondsLeft: number } {
  const p = Object.fromEntries(pacificClock.formatToParts(now).map((x) => [x.type, x.value]));
  const elapsed = Number(p.hour) * 3600 + Number(p.minute) * 60 + Number(p.second);
  // A day that changes daylight saving time is an hour shorter or longer; close enough for a fake.
  return { day: `${p.year}-${p.month}-${p.day}`, secondsLeft: Math.max(1, 86_400 - elapsed) };
}

export class QuotaLimiter {
  /** Arrival times (ms) of the admitted requests of the last minute, per API and key. */
  private readonly minute = new Map<string, number[]>();
  /** Admitted requests of the current Pacific day, per API and key. */
  private readonly day = new Map<string, { day: string; count: number }>();

  constructor(public quota: Quota = {}) {}

  /** Admits a request (counting it) or says which limit refuses it and when a slot frees. */
  admit(api: string, key: string, now = Date.now()): QuotaRefusal | undefined {
    const id = `${api}\n${key}`;
    const { requestsPerMinute: perMinute, requestsPerDay: perDay } = this.quota;
    const arrivals = (this.minute.get(id) ?? []).filter((t) => t > now - MINUTE_MS);
    this.minute.set(id, arrivals);
    const today = pacificDay(now);
    const counted = this.day.get(id);
    const count = counted?.day === today.day ? counted.count : 0;
    if (perDay !== undefined && count >= perDay)
      return { limit: 'day', retryDelaySeconds: today.secondsLeft };
    if (perMinute !== undefined && arrivals.length >= perMinute) {
      // The window frees a slot when the request that many places back leaves it.
      const frees = (arrivals[arrivals.length - perMinute] ?? now) + MINUTE_MS;
      return { limit: 'minute', retryDelaySeconds: Math.max(1, Math.ceil((frees - now) / 1000)) };
    }
    arrivals.push(now);
    this.day.set(id, { day: today.day, count: count + 1 });
    return undefined;
  }
}
