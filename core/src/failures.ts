/**
 * The types of the failures a job's steps end with (Temporal `ApplicationFailure.type`): activities
 * throw them, workflows and the API recognise them by these names, and nothing spells them twice.
 */
export const failureTypes = {
  JobNotFound: 'JobNotFound',
  NoSuchChunk: 'NoSuchChunk',
  UnsupportedVoice: 'UnsupportedVoice',
  MissingCredential: 'MissingCredential',
  /** Every key of a provider is resting; retried when the first may be used again. */
  RateLimited: 'RateLimited',
  BudgetExceeded: 'BudgetExceeded',
} as const;

export type FailureType = (typeof failureTypes)[keyof typeof failureTypes];

/** A provider's answer as a failure type: `ProviderError:<kind>` (`rate-limited`, `invalid-key`…). */
export const providerFailureType = (kind: string) => `ProviderError:${kind}` as const;
