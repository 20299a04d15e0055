// Shapes of the API's answers (see GET /openapi.json for the request bodies). Agents, steps, usage, the
// estimate, jobs, artifacts, credentials and tokens are core's own types, as the API builds them
// (`Json<T>`: dates arrive as ISO strings), so the pages read exactly what the server sends.
import type { Agent as AgentFields, JobUsage, Step } from '@bolt/core/domain';
import type {
  ApiTokenView,
  ArtifactView,
  CredentialCheck as Check,
  CredentialProvider,
  CredentialView,
  EstimateView,
  JobListItem,
  JobView,
  Json,
  VoiceCheck,
} from '@bolt/core/views';

export type {
  Agent as AgentFields,
  JobRequest,
  JobStatus,
  JobUsage,
  Step,
  StepState,
  StepUsage,
} from '@bolt/core/domain';
export type { CredentialProvider, JobSort, VoiceCheck } from '@bolt/core/views';
export type { VoiceSettings } from '@bolt/core/voice';

export type Job = Json<JobView>;
/** A job in the list, with its cost so far (in all once finished). */
export type ListedJob = Json<JobListItem>;

/** What a job will probably use and cost, before it starts, and when quota lets it run (POST /api/jobs/estimate). */
export type JobEstimate = Json<EstimateView>;

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

export interface Agent extends AgentFields {
  id: string;
  /** Whether its voices were confirmed with its speech provider (not when it could not be asked). */
  voice_check: VoiceCheck;
  created_at: string;
  updated_at: string;
}

export type Artifact = Json<ArtifactView>;
export type Credential = Json<CredentialView>;
export type CredentialCheck = Check & { id: string; provider: CredentialProvider };
export type ApiToken = Json<ApiTokenView>;

export interface Voice {
  name: string;
  languages: string[];
  gender?: string;
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
