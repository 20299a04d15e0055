import { z } from 'zod';
import { credentialProviders } from './credential-providers.ts';
import {
  agentSchema,
  jobStatuses,
  jobUsageSchema,
  stepSchema,
  stepUsageSchema,
  ttsProviders,
} from './domain.ts';
import { jobEstimateSchema } from './estimate.ts';
import { verdicts } from './quality.ts';
import { quotaLimitsSchema } from './quota.ts';

export {
  type CredentialProvider,
  credentialProviderNames,
  credentialProviders,
} from './credential-providers.ts';

/**
 * What the API answers, shared with the web app. Each shape is a zod schema (the OpenAPI document
 * describes the answers with them) and its type is inferred from it. The server builds these with
 * dates; `Json<T>` is the same shape as it arrives in the browser, where a date is its ISO string.
 */
export type Json<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/** A moment the server sends as an ISO 8601 string (documented as `date-time`). */
const moment = z.date();

export const userViewSchema = z.object({ id: z.uuid(), email: z.string(), created_at: moment });
export type UserView = z.infer<typeof userViewSchema>;

/** What a login or a refresh answers: a short-lived access token and a single-use refresh token. */
export const authTokensSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().describe('Seconds the access token is valid for'),
  refresh_token: z.string(),
});
export type AuthTokens = z.infer<typeof authTokensSchema>;

export const jobViewSchema = z.object({
  id: z.uuid(),
  status: z.enum(jobStatuses),
  title: z.string(),
  agent_id: z.uuid().nullable(),
  agent_name: z.string(),
  languages: z.array(z.string()),
  variations: z.number().int(),
  budget_usd: z.number().nullable(),
  error: z.string().nullable(),
  /** The worst verdict of the job's quality checks, once its narrations were checked. */
  quality: z.enum(verdicts).nullable(),
  /** What the checks found, in one line ("9 narrations: 8 pass, 1 warn: …"). */
  quality_summary: z.string().nullable(),
  tts_chars: z.number().int(),
  audio_seconds: z.number(),
  created_at: moment,
  updated_at: moment,
  finished_at: moment.nullable(),
});
export type JobView = z.infer<typeof jobViewSchema>;

/** A job with its step-level progress, what it used so far and its workflow in the Temporal Web UI. */
export const jobDetailSchema = jobViewSchema.extend({
  steps: z.array(stepSchema),
  usage: jobUsageSchema,
  temporal_ui_url: z.string().nullable().describe('Unknown (null) for an external Temporal cluster'),
});
export type JobDetail = z.infer<typeof jobDetailSchema>;

/** How a list of jobs can be ordered: newest or oldest first, by title (A to Z), or costliest first. */
export const jobSorts = ['newest', 'oldest', 'title', 'cost'] as const;
export type JobSort = (typeof jobSorts)[number];

/** A job as lists show it: with what it cost, so far while it runs, in all once finished (usage ledger). */
export const jobListItemSchema = jobViewSchema.extend({ cost_usd: z.number() });
export type JobListItem = z.infer<typeof jobListItemSchema>;

/** One page of a list: its items, how many there are in all, and the page's bounds. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });

/** A list answered whole. */
export const itemsSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const jobPageSchema = pageSchema(jobListItemSchema);

/** What a block edit, re-roll or restore answers: the narration's workflow and the job's steps. */
export const blockChangeSchema = z.object({ workflow_id: z.string(), steps: z.array(stepSchema) });

/** A cancel was asked for: the job and its narrations stop as soon as their running calls do. */
export const cancellingSchema = z.object({ id: z.uuid(), status: z.literal('cancelling') });

/** What a job used and cost: totals and per step, from the usage ledger. */
export const jobUsageViewSchema = z.object({ totals: jobUsageSchema, steps: z.array(stepUsageSchema) });

/** An estimate, with the model and speech provider it was priced for. */
/**
 * When new work should start and finish as far as provider quota decides: the requests ahead of it, its
 * share of each key pool's pace, and each key's requests left today. Both times are now where no limit
 * applies (then providers and workers decide).
 */
export const admissionViewSchema = z.object({
  start_at: moment,
  finish_at: moment,
  /** False when the keys' requests left today cannot cover the work: the rest waits for the next day. */
  fits_today: z.boolean(),
  warnings: z.array(z.string()),
});
export type AdmissionView = z.infer<typeof admissionViewSchema>;

export const estimateViewSchema = jobEstimateSchema.extend({
  model: z.string(),
  tts_provider: z.enum(ttsProviders),
  /** When quota should let the jobs asked about (`count`) start and finish. */
  admission: admissionViewSchema,
});
export type EstimateView = z.infer<typeof estimateViewSchema>;

export const artifactKinds = ['premise', 'script', 'audio', 'subtitles', 'chapters', 'quality'] as const;
export type ArtifactKind = (typeof artifactKinds)[number];

export const artifactViewSchema = z.object({
  id: z.uuid(),
  kind: z.enum(artifactKinds),
  language: z.string().nullable(),
  variation: z.number().int(),
  size: z.number().int(),
  sha256: z.string(),
  content_type: z.string(),
  duration_seconds: z.number().nullable(),
  /** The name it downloads as. */
  file_name: z.string(),
  url: z.string(),
});
export type ArtifactView = z.infer<typeof artifactViewSchema>;

/** What may leave the server about a credential: never the key, only its last four characters. */
export const credentialViewSchema = z.object({
  id: z.uuid(),
  provider: z.enum(credentialProviders),
  label: z.string(),
  last4: z.string(),
  /** The key's own limits, over the provider's defaults (`BOLT_RATE_LIMITS`); null: the defaults. */
  limits: quotaLimitsSchema.nullable(),
  created_at: moment,
});
export type CredentialView = z.infer<typeof credentialViewSchema>;

/** Whether a provider accepted a stored key, in words the user can act on. */
export const credentialCheckSchema = z.object({
  status: z.enum(['valid', 'invalid', 'quota', 'unreachable', 'unchecked']),
  message: z.string(),
  /** What the provider said, when it refused or failed (the message's second part). */
  reason: z.string().optional(),
});
export type CredentialCheck = z.infer<typeof credentialCheckSchema>;

/** A key check as the API answers it: which key, and the verdict. */
export const credentialTestSchema = credentialCheckSchema.extend({
  id: z.uuid(),
  provider: z.enum(credentialProviders),
});

/**
 * Whether an agent's voices were confirmed with its speech provider. `not_checked`: the provider could
 * not be asked (rate-limited, failing, unreachable, or no key yet), so they are checked again later;
 * `invalid`: the provider's list lacks some, named in `fields`.
 */
export const voiceCheckSchema = z.object({
  status: z.enum(['checked', 'not_checked', 'invalid']),
  /** Why they are not checked, or which voices are missing. */
  reason: z.string().optional(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type VoiceCheck = z.infer<typeof voiceCheckSchema>;

/** An agent as the API shows it: its fields plus id, voice check and timestamps, never the owner. */
export const agentViewSchema = agentSchema.extend({
  id: z.uuid(),
  voice_check: voiceCheckSchema,
  created_at: moment,
  updated_at: moment,
});
export type AgentView = z.infer<typeof agentViewSchema>;

/** A personal API token as listed: its secret is shown once, at creation, and never again. */
export const apiTokenViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  last4: z.string(),
  created_at: moment,
  last_used_at: moment.nullable(),
});
export type ApiTokenView = z.infer<typeof apiTokenViewSchema>;

/** A personal API token just created: the only answer that carries the token itself. */
export const newApiTokenViewSchema = apiTokenViewSchema.extend({ token: z.string() });

/** A speech provider's voice. */
export const voiceSchema = z.object({
  name: z.string(),
  languages: z.array(z.string()),
  gender: z.string().optional(),
});
export type VoiceView = z.infer<typeof voiceSchema>;

export const voiceListSchema = z.object({ provider: z.enum(ttsProviders), items: z.array(voiceSchema) });
