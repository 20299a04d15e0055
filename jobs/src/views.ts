import type { ArtifactView, JobView } from '@bolt/core';
import { type ArtifactRow, artifactFileName, type JobRow } from '@bolt/data';

/** A job as the API and the SSE stream show it. */
export const jobView = (job: JobRow): JobView => ({
  id: job.id,
  status: job.status,
  title: job.title,
  agent_id: job.agent_id,
  agent_name: job.agent_snapshot.name,
  languages: job.languages,
  variations: job.variations,
  budget_usd: job.budget_usd,
  error: job.error,
  quality: job.result?.quality?.verdict ?? null,
  quality_summary: job.result?.quality?.summary ?? null,
  tts_chars: job.tts_chars,
  audio_seconds: job.audio_seconds,
  created_at: job.created_at,
  updated_at: job.updated_at,
  finished_at: job.finished_at,
});

/** A job's file as listed to its owner, with its download name and address. */
export const artifactView = (a: ArtifactRow): ArtifactView => ({
  id: a.id,
  kind: a.kind,
  language: a.language,
  variation: a.variation,
  size: Number(a.size),
  sha256: a.sha256,
  content_type: a.content_type,
  duration_seconds: a.duration_seconds,
  file_name: artifactFileName(a),
  url: `/api/artifacts/${a.id}`,
});
