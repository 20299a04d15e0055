import { z } from 'zod';

/** BCP-47 tag such as pt-BR, en-US, es-ES, zh-Hans-CN (validated structurally). */
export const languageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?$/, 'must be a BCP-47 language tag such as pt-BR');

/** An agent: the reusable prompt recipe (field names follow the original system). */
export const agentSchema = z.object({
  name: z.string().trim().min(1).max(120),
  idioma: languageTag,
  premise_prompt: z.string().min(1).max(20_000),
  persona_and_global_rules_prompt: z.string().max(20_000).default(''),
  block_structure_prompt: z.string().min(1).max(20_000),
  cultural_adaptation_prompt: z.string().max(20_000).default(''),
  idiomas_alvo: z.array(languageTag).max(30).default([]),
  cultural_configs: z.record(z.string(), z.string().max(5_000)).default({}),
  default_voices: z.record(z.string(), z.string().max(200)).default({}),
  /** Per language, words the voice should say differently: { "pt-BR": { "Tejo": "Téjo" } }. */
  pronunciation: z.record(languageTag, z.record(z.string().min(1).max(100), z.string().max(200))).default({}),
  llm_provider: z.enum(['local']).default('local'),
  llm_model: z.string().max(200).default(''),
  tts_provider: z.enum(['espeak']).default('espeak'),
});
export type Agent = z.infer<typeof agentSchema>;
export type AgentInput = z.input<typeof agentSchema>;

export const jobRequestSchema = z.object({
  titulo: z.string().trim().min(1).max(500),
  num_variacoes: z.number().int().min(1).max(1).default(1),
  languages: z.array(languageTag).min(1).max(30).optional(),
});
export type JobRequest = z.infer<typeof jobRequestSchema>;

export const jobStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** What the workflow is started with: ids and small values only, never prompts' outputs or secrets. */
export interface JobWorkflowInput {
  jobId: string;
  /** The agent's language: the master script is written in it. */
  source: string;
  /** Languages to deliver (script + MP3 each); may or may not include the source. */
  languages: string[];
}

export type StepState = 'pending' | 'running' | 'completed' | 'failed';

export interface Step {
  id: string;
  label: string;
  state: StepState;
  attempt?: number;
  startedAt?: string;
  finishedAt?: string;
  output?: string;
  error?: string;
}

export interface JobProgress {
  jobId: string;
  status: JobStatus;
  steps: Step[];
}

/** Where each artifact of a job lives in storage: one place so every package agrees. */
export const storageKeys = {
  premise: (jobId: string) => `jobs/${jobId}/premise.txt`,
  block: (jobId: string, language: string, index: number) =>
    `jobs/${jobId}/scripts/${language}/block-${String(index + 1).padStart(2, '0')}.md`,
  script: (jobId: string, language: string) => `jobs/${jobId}/scripts/${language}.md`,
  chunkTexts: (jobId: string, language: string) => `jobs/${jobId}/audio/${language}/chunks.json`,
  chunk: (jobId: string, language: string, index: number) =>
    `jobs/${jobId}/audio/${language}/chunk-${String(index + 1).padStart(3, '0')}.wav`,
  audio: (jobId: string, language: string) => `jobs/${jobId}/audio/${language}.mp3`,
};
