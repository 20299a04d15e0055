// What an API error says, in the UI language: the server writes its messages in English for API
// clients, with a stable code; the app says the ones a user meets in its own words, by code, and keeps
// the provider's own words (its reason) as they came.

import { credentialProviderNames } from '@bolt/core/credential-providers';

type Translate = (text: string, params?: Record<string, string | number>) => string;

/** The parts of an API error the text is made from. */
export interface ErrorLike {
  code: string;
  message: string;
  details?: unknown;
}

const providerNames: Record<string, string> = credentialProviderNames;

/** The error's text in the UI language; the server's message for codes the app does not know. */
export function errorText(err: ErrorLike, t: Translate): string {
  const d = (err.details ?? {}) as {
    provider?: string;
    status?: number;
    reason?: string;
    retry_after?: number;
  };
  const provider = providerNames[d.provider ?? ''] ?? d.provider ?? '';
  const reason = d.reason ? ` (${d.reason})` : '';
  const known: Record<string, () => string> = {
    provider_rate_limited: () =>
      d.retry_after === undefined
        ? t('{provider} is rate-limiting this key now; try again shortly.', { provider })
        : t('{provider} is rate-limiting this key now; try again in {seconds} s.', {
            provider,
            seconds: d.retry_after,
          }),
    provider_unavailable: () => t('{provider} could not be reached; try again shortly.', { provider }),
    provider_transient: () =>
      t('{provider} failed (HTTP {status}); try again shortly.', { provider, status: d.status ?? '' }),
    provider_invalid_key: () => t('{provider} refused the key: check it under Keys.', { provider }),
    provider_permission: () => t('{provider} does not allow this key to do that.', { provider }),
    provider_bad_request: () => t('{provider} refused the request.', { provider }),
    provider_safety: () => t('{provider} refused the text as unsafe.', { provider }),
    job_not_completed: () => t('Blocks can be changed once the job has completed.'),
    job_finished: () => t('This job has already finished.'),
    no_previous_take: () => t('This block has no earlier take to restore.'),
    no_artifacts: () => t('This job has no files yet.'),
    name_taken: () => t('You already have an agent with this name.'),
    too_many_attempts: () => t('Too many attempts; wait a moment and try again.'),
    unavailable: () => t('A service Bolt needs is unreachable; try again shortly.'),
    not_ready: () => t('A service Bolt needs is unreachable; try again shortly.'),
    not_found: () => t('Not found: it does not exist or is not yours.'),
  };
  const text = known[err.code];
  return text ? `${text()}${err.code.startsWith('provider_') ? reason : ''}` : err.message;
}
