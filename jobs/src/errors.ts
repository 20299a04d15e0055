/**
 * What a job operation refuses, in domain terms; callers decide how to say it (the API maps each to an
 * HTTP status in one place, the CLI prints the message).
 */
export class JobError extends Error {
  override name = 'JobError';
  constructor(
    readonly kind: 'not-found' | 'conflict' | 'invalid',
    /** A stable code for clients: `not_found`, `not_retryable`, `job_finished`… */
    readonly code: string,
    message: string,
    /** The fields that were wrong, for `invalid`. */
    readonly fields?: Array<{ field: string; message: string }>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new JobError('not-found', 'not_found', `${what} not found`);

export const conflict = (code: string, message: string) => new JobError('conflict', code, message);

/** The request named something the user does not have, e.g. `agent_id`: no such agent. */
export const invalidField = (field: string, message: string) =>
  new JobError('invalid', 'invalid_request', `${field}: ${message}`, [{ field, message }]);
