// What a step waiting for provider quota says in the timeline, in the UI language. The wording is
// core's `quotaWaitText`, the same as `bolt run`'s; the web gives it its translations and formatters.
import { type QuotaTextOptions, quotaWaitText, type StepQuota } from '@bolt/core/quota';
import { formatDate, formatDuration } from './format.ts';
import { type Locale, translate } from './i18n.ts';

/** How quota waits are worded in `locale`. */
export const quotaTextOptions = (locale: Locale): QuotaTextOptions => ({
  t: (text, params) => translate(locale, text, params),
  formatDuration,
  formatDate: (iso) => formatDate(iso, locale),
});

/** "Waiting for quota (Gemini key …1234, next slot in 12.0 s)", with why when it is not just the pace. */
export const quotaText = (quota: StepQuota, now: number, locale: Locale): string =>
  quotaWaitText(quota, now, quotaTextOptions(locale));
