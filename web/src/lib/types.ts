// Shapes of the API's answers (see GET /openapi.json for the request bodies; answers follow api/src/routes).

// Agents, steps, usage and the estimate are core's own types, so the pages read exactly what the API
// stores and the workflows record.
import type { Agent as AgentFields, JobStatus, JobUsage, Step } from '@bolt/core/domain';
import type { JobEstimate as Estimate } from '@bolt/core/estimate';

export type {
  Agent as AgentFields,
  JobStatus,
  JobUsage,
  Step,
  StepState,
  StepUsage,
} from '@bolt/core/domain';

export interface Job {
  id: string;
  status: JobStatus;
  titulo: string;
  agent_id: string | null;
  agent_name: string;
  languages: string[];
  num_variacoes: number;
  budget_usd?: number | null;
  error: string | null;
  chars_processados_tts: number | null;
  duracao_total_segundos: number | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** What a job will probably use and cost, before it starts (POST /api/jobs/estimate). */
export interface JobEstimate extends Estimate {
  model: string;
  tts_provider: string;
}

export interface JobDetail extends Job {
  steps: Step[];
  usage?: JobUsage;
  /** The workflow in the Temporal Web UI, when the server knows where that is. */
  temporal_ui_url?: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Artifact {
  id: string;
  kind: string;
  language: string | null;
  variation: number | null;
  size: number;
  sha256: string;
  content_type: string;
  duration_seconds: number | null;
  url: string;
  /** The name it downloads as (sent by newer servers). */
  file_name?: string;
}

export interface Agent extends AgentFields {
  id: string;
  created_at: string;
  updated_at: string;
}

export interface Voice {
  name: string;
  languages: string[];
  gender?: string;
}

export type CredentialProvider = 'gemini' | 'google-tts' | 'openai';

export interface Credential {
  id: string;
  provider: CredentialProvider;
  label: string;
  last4: string;
  created_at: string;
}

export interface CredentialCheck {
  id: string;
  provider: CredentialProvider;
  status: 'valid' | 'invalid' | 'quota' | 'unreachable' | 'unchecked';
  message: string;
}

export interface ApiToken {
  id: string;
  name: string;
  last4: string;
  created_at: string;
  last_used_at: string | null;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'Bearer';
}

export interface User {
  id: string;
  email: string;
  created_at: string;
}
