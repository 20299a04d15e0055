// What a step waiting for provider quota says in the timeline, in the UI language.
import { credentialProviderNames } from '@bolt/core/credential-providers';
import type { StepQuota } from '@bolt/core/quota';
import { formatDate, formatDuration } from './format.ts';
import { type Locale, translate } from './i18n.ts';

/** Beyond this, the next slot is said as a time of day rather than as "in 12 s". */
const AS_A_TIME_MS = 3_600_000;

/** "Waiting for quota (Gemini key …1234, next slot in 12 s)", with why when it is not just the pace. */
export function quotaText(quota: StepQuota, now: number, locale: Locale): string {
  const t = (text: string, params?: Record<string, string>) => translate(locale, text, params);
  const provider = credentialProviderNames[quota.provider] ?? quota.provider;
  const key =
    quota.key === 'server'
      ? t('{provider} server key', { provider })
      : t('{provider} key {key}', { provider, key: quota.key });
  const inMs = Math.max(0, Date.parse(quota.nextAt) - now);
  const when =
    inMs > AS_A_TIME_MS
      ? t('next slot {time}', { time: formatDate(quota.nextAt, locale) })
      : t('next slot in {time}', { time: formatDuration(Math.max(1000, Math.ceil(inMs / 1000) * 1000)) });
  const why: Record<StepQuota['reason'], string> = {
    pace: '',
    queue: t('behind other requests'),
    rest: t('the provider asked to wait'),
    day: t('its requests for today are spent'),
  };
  const reason = why[quota.reason];
  return t('waiting for quota ({key}, {when})', { key: reason ? `${key}: ${reason}` : key, when });
}
