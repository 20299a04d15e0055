/**
 * The types of the failures a job's steps end with (Temporal `ApplicationFailure.type`): activities
 * throw them, workflows and the API recognise them by these names, and nothing spells them twice.
 */
export const failureTypes = {
  JobNotFound: 'JobNotFound',
  NoSuchChunk: 'NoSuchChunk',
  UnsupportedVoice: 'UnsupportedVoice',
  MissingCredential: 'MissingCredential',
  /**
   * No key of the provider can be used before a time later than the step may wait in place (a key's day
   * spent): the workflow waits for it with a timer and runs the step again. Details: a StepQuota.
   */
  QuotaWait: 'QuotaWait',
  BudgetExceeded: 'BudgetExceeded',
} as const;

export type FailureType = (typeof failureTypes)[keyof typeof failureTypes];

/** A provider's answer as a failure type: `ProviderError:<kind>` (`rate-limited`, `invalid-key`…). */
export const providerFailureType = (kind: string) => `ProviderError:${kind}` as const;
