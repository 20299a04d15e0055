import type { ArtifactKind } from '@bolt/core';
import type { Knex } from 'knex';

export interface ArtifactRow {
  id: string;
  job_id: string;
  kind: ArtifactKind;
  language: string | null;
  variation: number;
  storage_key: string;
  size: number;
  sha256: string;
  content_type: string;
  duration_seconds: number | null;
}

/** The content type each kind of file is stored with. */
export const contentTypes = {
  markdown: 'text/markdown; charset=utf-8',
  plain: 'text/plain; charset=utf-8',
  json: 'application/json',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  srt: 'application/x-subrip; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
} as const;

const extension: Array<[contentType: string, ext: string]> = [
  [contentTypes.mp3, 'mp3'],
  [contentTypes.wav, 'wav'],
  [contentTypes.json, 'json'],
  [contentTypes.markdown, 'md'],
  [contentTypes.plain, 'txt'],
  [contentTypes.srt, 'srt'],
  [contentTypes.vtt, 'vtt'],
];

/**
 * The file name an artifact downloads as: premise.txt, script.pt-BR.md, narration.en-US.mp3,
 * narration.en-US.srt…; variations after the first are named in: script.v2.pt-BR.md.
 */
export function artifactFileName(
  a: Pick<ArtifactRow, 'kind' | 'language' | 'content_type' | 'variation'>,
): string {
  const type = a.content_type.split(';')[0];
  const ext = extension.find(([t]) => t.split(';')[0] === type)?.[1] ?? 'bin';
  const base = a.kind === 'audio' || a.kind === 'subtitles' ? 'narration' : a.kind;
  return [base, a.variation > 1 ? `v${a.variation}` : '', a.language ?? '', ext].filter(Boolean).join('.');
}

/** Records an artifact; recording the same storage key twice keeps one row (activities may retry). */
export async function recordArtifact(db: Knex, a: Omit<ArtifactRow, 'id'>): Promise<void> {
  await db('artifacts').insert(a).onConflict(['job_id', 'storage_key']).merge();
}

export async function listArtifacts(db: Knex, jobId: string): Promise<ArtifactRow[]> {
  return db('artifacts').where({ job_id: jobId }).orderBy(['kind', 'language', 'storage_key']);
}

/** An artifact with its job's owner, so callers can check access in one query. */
export async function getArtifact(
  db: Knex,
  id: string,
): Promise<(ArtifactRow & { owner_id: string }) | undefined> {
  return db('artifacts')
    .join('jobs', 'jobs.id', 'artifacts.job_id')
    .where('artifacts.id', id)
    .first('artifacts.*', 'jobs.owner_id');
}

/** Seconds of narrated audio a job delivered, over all its MP3s. */
export async function audioSeconds(db: Knex, jobId: string): Promise<number> {
  const row = await db('artifacts')
    .where({ job_id: jobId, kind: 'audio' })
    .sum({ seconds: 'duration_seconds' })
    .first();
  return Number(row?.seconds ?? 0);
}
