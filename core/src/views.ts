import type { JobStatus } from './domain.ts';
import type { Verdict } from './quality.ts';

/**
 * What the API answers, shared with the web app. The server builds these with dates; `Json<T>` is the
 * same shape as it arrives in the browser, where a date is its ISO string.
 */
export type Json<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/** The providers a user stores keys for. */
export const credentialProviders = ['gemini', 'google-tts', 'openai'] as const;
export type CredentialProvider = (typeof credentialProviders)[number];
/** How each provider is named to users: in messages, the credentials page and the agent form. */
export const credentialProviderNames: Record<CredentialProvider, string> = {
  gemini: 'Gemini',
  'google-tts': 'Google Cloud Text-to-Speech',
  openai: 'OpenAI',
};

export interface JobView {
  id: string;
  status: JobStatus;
  title: string;
  agent_id: string | null;
  agent_name: string;
  languages: string[];
  variations: number;
  budget_usd: number | null;
  error: string | null;
  /** The worst verdict of the job's quality checks, once its narrations were checked. */
  quality: Verdict | null;
  /** What the checks found, in one line ("9 narrations: 8 pass, 1 warn: …"). */
  quality_summary: string | null;
  tts_chars: number;
  audio_seconds: number;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

/** How a list of jobs can be ordered: newest or oldest first, by title (A to Z), or costliest first. */
export const jobSorts = ['newest', 'oldest', 'title', 'cost'] as const;
export type JobSort = (typeof jobSorts)[number];

/** A job as lists show it: with what it cost, so far while it runs, in all once finished (usage ledger). */
export interface JobListItem extends JobView {
  cost_usd: number;
}

export type ArtifactKind = 'premise' | 'script' | 'audio' | 'subtitles' | 'chapters' | 'quality';

export interface ArtifactView {
  id: string;
  kind: ArtifactKind;
  language: string | null;
  variation: number;
  size: number;
  sha256: string;
  content_type: string;
  duration_seconds: number | null;
  /** The name it downloads as. */
  file_name: string;
  url: string;
}

/** What may leave the server about a credential: never the key, only its last four characters. */
export interface CredentialView {
  id: string;
  provider: CredentialProvider;
  label: string;
  last4: string;
  created_at: Date;
}

/** Whether a provider accepted a stored key, in words the user can act on. */
export interface CredentialCheck {
  status: 'valid' | 'invalid' | 'quota' | 'unreachable' | 'unchecked';
  message: string;
  /** What the provider said, when it refused or failed (the message's second part). */
  reason?: string;
}

/**
 * Whether an agent's voices were confirmed with its speech provider. `not_checked`: the provider could
 * not be asked (rate-limited, failing, unreachable, or no key yet), so they are checked again later;
 * `invalid`: the provider's list lacks some, named in `fields`.
 */
export interface VoiceCheck {
  status: 'checked' | 'not_checked' | 'invalid';
  /** Why they are not checked, or which voices are missing. */
  reason?: string;
  fields?: Array<{ field: string; message: string }>;
}

/** A personal API token as listed: its secret is shown once, at creation, and never again. */
export interface ApiTokenView {
  id: string;
  name: string;
  last4: string;
  created_at: Date;
  last_used_at: Date | null;
}
