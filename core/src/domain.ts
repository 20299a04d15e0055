import { z } from 'zod';
import { credentialProviders } from './credential-providers.ts';
import { quotaLimitsSchema, stepQuotaSchema } from './quota.ts';
import { voiceSettingsSchema } from './voice.ts';

/** BCP-47 tag such as pt-BR, en-US, es-ES, zh-Hans-CN (validated structurally). */
export const languageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?$/, 'must be a BCP-47 language tag such as pt-BR');

/** What signs up and signs in (the web app checks its forms with these too). */
export const accountSchema = z.object({ email: z.email().max(320), password: z.string().min(8).max(200) });

/** A provider key to store. */
export const newCredentialSchema = z.object({
  provider: z.enum(credentialProviders),
  label: z.string().trim().min(1).max(120).default('default'),
  // Every provider's keys are printable ASCII; anything else could not be sent in a request header.
  key: z
    .string()
    .trim()
    .min(8)
    .max(4096)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII characters without spaces, as the provider gave it'),
  limits: quotaLimitsSchema.optional(),
});

/** A personal API token to create. */
export const newTokenSchema = z.object({ name: z.string().trim().min(1).max(120) });

export const llmProviders = ['local', 'gemini', 'openai'] as const;
export type LlmProviderName = (typeof llmProviders)[number];
export const ttsProviders = ['espeak', 'kokoro', 'google', 'openai', 'gemini'] as const;
export type TtsProviderName = (typeof ttsProviders)[number];

/**
 * An agent as saved: the reusable prompt recipe (field names follow the original system). A provider
 * left out is chosen when a job starts, as the original system would run it (`withProviders`).
 */
export const agentSchema = z.object({
  name: z.string().trim().min(1).max(120),
  language: languageTag,
  premise_prompt: z.string().min(1).max(20_000),
  persona_and_global_rules_prompt: z.string().max(20_000).default(''),
  block_structure_prompt: z.string().min(1).max(20_000),
  cultural_adaptation_prompt: z.string().max(20_000).default(''),
  target_languages: z.array(languageTag).max(30).default([]),
  cultural_configs: z.record(z.string(), z.string().max(5_000)).default({}),
  default_voices: z.record(z.string(), z.string().max(200)).default({}),
  /** Per language, words the voice should say differently: { "pt-BR": { "Tejo": "Téjo" } }. */
  pronunciation: z.record(languageTag, z.record(z.string().min(1).max(100), z.string().max(200))).default({}),
  llm_provider: z
    .enum(llmProviders)
    .optional()
    .describe(
      "When absent, chosen as each job starts: gemini with a Gemini key (the user's or the server's), else local",
    ),
  /** Empty means the provider's default model. */
  llm_model: z.string().max(200).default(''),
  /** Used when every key is over quota for llm_model; empty means none. */
  llm_fallback_model: z.string().max(200).default(''),
  tts_provider: z
    .enum(ttsProviders)
    .optional()
    .describe(
      "When absent, chosen as each job starts: google with a Google Cloud TTS key (the user's or the server's), else kokoro (espeak-ng for languages Kokoro lacks)",
    ),
  /** Per language, how the voice speaks: { "pt-BR": { "rate": 1.1, "paragraph_pause_ms": 600 } }. */
  voice_settings: z.record(languageTag, voiceSettingsSchema).default({}),
});
export type SavedAgent = z.infer<typeof agentSchema>;
export type AgentInput = z.input<typeof agentSchema>;

/** The agent a job runs with (its snapshot): both providers decided. */
export const jobAgentSchema = agentSchema.extend({
  llm_provider: z.enum(llmProviders),
  tts_provider: z.enum(ttsProviders),
});
export type Agent = z.infer<typeof jobAgentSchema>;

/** Variation 1 is the master script; each further one is a rewrite of it. */
export const MAX_VARIATIONS = 20;

export const jobRequestSchema = z.object({
  title: z.string().trim().min(1).max(500),
  variations: z.number().int().min(1).max(MAX_VARIATIONS).default(1),
  languages: z.array(languageTag).min(1).max(30).optional(),
  /** Stops the job before its estimated provider cost would exceed this many US dollars. */
  budget_usd: z.number().positive().max(100_000).optional(),
});
export type JobRequest = z.infer<typeof jobRequestSchema>;

export const jobStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof jobStatuses)[number];
/** The statuses a job ends in: nothing changes it any more unless it is retried. */
export const finishedStatuses = ['completed', 'failed', 'cancelled'] as const satisfies readonly JobStatus[];
export type FinishedStatus = (typeof finishedStatuses)[number];
/** Whether a job with this status has ended (completed, failed or cancelled). */
export const isFinished = (status: string): status is FinishedStatus =>
  (finishedStatuses as readonly string[]).includes(status);

/** What the workflow is started with: ids and small values only, never prompts' outputs or secrets. */
export interface JobWorkflowInput {
  jobId: string;
  /** The agent's language: the master script is written in it. */
  source: string;
  /** Languages to deliver (script + MP3 + subtitles each); may or may not include the source. */
  languages: string[];
  /** How many versions of the script to deliver, each in every language (1 = the master only). */
  variations: number;
}

/** One (variation × language) narration, run as a child workflow of its job. */
export interface NarrationWorkflowInput {
  jobId: string;
  variation: number;
  language: string;
  source: string;
  blocks: number;
  /** Started by a block edit after the narration had finished: its steps form an edit round. */
  edited?: boolean;
}

/**
 * `cancelled`: stopped while running, by a cancel or by the failure of a step it ran alongside;
 * `skipped`: never started, because the job ended first.
 */
export const stepStates = ['pending', 'running', 'completed', 'failed', 'cancelled', 'skipped'] as const;
export type StepState = (typeof stepStates)[number];

/** A running step whose last attempt failed: why, how long it waits, when it is tried again. */
export const stepRetrySchema = z.object({
  attempt: z.number().int(),
  reason: z.string(),
  waitMs: z.number().optional(),
  nextAt: z.string().optional(),
});
export type StepRetry = z.infer<typeof stepRetrySchema>;

/** One step of a job's progress, as its workflow reports it and the API answers it. */
export const stepSchema = z.object({
  id: z.string(),
  label: z.string(),
  state: z.enum(stepStates),
  attempt: z.number().int().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  output: z.string().optional(),
  /** A short human note about the result, e.g. "412 of 400 words". */
  detail: z.string().optional(),
  error: z.string().optional(),
  retry: stepRetrySchema.optional(),
  /** A running step waiting for provider quota: which key, why, and when its request may go. */
  quota: stepQuotaSchema.optional(),
});
export type Step = z.infer<typeof stepSchema>;

/** What a job used and cost so far, from its usage ledger. */
export const jobUsageSchema = z.object({
  tokensIn: z.number().int(),
  tokensOut: z.number().int(),
  ttsChars: z.number().int(),
  audioSeconds: z.number(),
  costUsd: z.number(),
  paidCalls: z.number().int(),
  cachedCalls: z.number().int(),
});
export type JobUsage = z.infer<typeof jobUsageSchema>;

/** What one step of a job used and cost, per provider and model. */
export const stepUsageSchema = z.object({
  step: z.string(),
  provider: z.string(),
  model: z.string().nullable(),
  tokens_in: z.number().int().nullable(),
  tokens_out: z.number().int().nullable(),
  chars: z.number().int().nullable(),
  audio_seconds: z.number().nullable(),
  cost_usd: z.number().nullable(),
  paid_calls: z.number().int(),
  cached_calls: z.number().int(),
});
export type StepUsage = z.infer<typeof stepUsageSchema>;

export interface JobProgress {
  jobId: string;
  status: JobStatus;
  steps: Step[];
  /** Workflow ids of the job's narration child workflows, whose steps complete the picture. */
  children?: string[];
}

const variationDir = (jobId: string, variation: number, language: string) =>
  `jobs/${jobId}/v${variation}/${language}`;

/** Where each artifact of a job lives in storage: one place so every package agrees. */
export const storageKeys = {
  premise: (jobId: string) => `jobs/${jobId}/premise.txt`,
  block: (jobId: string, variation: number, language: string, index: number) =>
    `${variationDir(jobId, variation, language)}/blocks/block-${String(index + 1).padStart(2, '0')}.md`,
  script: (jobId: string, variation: number, language: string) =>
    `${variationDir(jobId, variation, language)}/script.md`,
  narrationPlan: (jobId: string, variation: number, language: string) =>
    `${variationDir(jobId, variation, language)}/narration.json`,
  audio: (jobId: string, variation: number, language: string) =>
    `${variationDir(jobId, variation, language)}/narration.mp3`,
  subtitles: (jobId: string, variation: number, language: string, format: 'srt' | 'vtt') =>
    `${variationDir(jobId, variation, language)}/narration.${format}`,
  /** A block's take before its latest edit or re-roll: what "restore" brings back. */
  previousBlock: (jobId: string, variation: number, language: string, index: number) =>
    storageKeys.block(jobId, variation, language, index).replace(/\.md$/, '.previous.md'),
  /** The last re-roll of a block (hash of the text it wrote), so a retried re-roll does not pay again. */
  reroll: (jobId: string, variation: number, language: string, index: number) =>
    storageKeys.block(jobId, variation, language, index).replace(/\.md$/, '.reroll.json'),
  /** The script checks of a narration's blocks and what was regenerated, before speech. */
  review: (jobId: string, variation: number, language: string) =>
    `${variationDir(jobId, variation, language)}/review.json`,
  /** A narration's quality report: every check of its blocks and speech chunks, with verdicts. */
  quality: (jobId: string, variation: number, language: string) =>
    `${variationDir(jobId, variation, language)}/quality.json`,
  /** The block titles in a narrated language (JSON array), shared by the job's variations. */
  titles: (jobId: string, language: string) => `jobs/${jobId}/titles/${language}.json`,
  /** The MP3's chapters as WebVTT (kind "chapters"), for players. */
  chapters: (jobId: string, variation: number, language: string) =>
    `${variationDir(jobId, variation, language)}/chapters.vtt`,
  /** Provider results by content hash, per user: identical work is never paid for twice. */
  cached: (userId: string, kind: 'llm' | 'tts' | 'asr', hash: string) =>
    `cache/${userId}/${kind}/${hash.slice(0, 2)}/${hash}.${kind === 'tts' ? 'wav' : 'txt'}`,
};
