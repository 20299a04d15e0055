import fs from 'node:fs';
import path from 'node:path';
import {
  agentSchema,
  type JobQuality,
  jobRequestSchema,
  type SavedAgent,
  withEnglishNames,
} from '@bolt/core';
import { artifactFileName, findAgentByName, getJob, listAgents, listArtifacts } from '@bolt/data';
import { jobLanguages, jobProgress, startJob } from '@bolt/jobs';
import { ProgressView } from './progress.ts';
import type { Stack } from './stack.ts';

export interface RunOptions {
  agent: string;
  title: string;
  variations: number;
  languages?: string[];
  out: string;
  json: boolean;
}

export interface RunResult {
  jobId: string;
  status: string;
  error?: string;
  /** The quality checks' verdict over every narration, and what they found. */
  quality?: JobQuality;
  files: string[];
}

/** An agent by name (the local user's) or from a JSON file. */
async function resolveAgent(stack: Stack, ref: string): Promise<{ agent: SavedAgent; agentId?: string }> {
  if (fs.existsSync(ref) && fs.statSync(ref).isFile()) {
    const parsed = agentSchema.safeParse(withEnglishNames(JSON.parse(fs.readFileSync(ref, 'utf8'))));
    if (!parsed.success)
      throw new Error(
        `${ref} is not a valid agent: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    return { agent: parsed.data };
  }
  const row = await findAgentByName(stack.db, stack.ownerId, ref);
  if (!row) {
    const names = (await listAgents(stack.db, stack.ownerId)).map((a) => `"${a.name}"`).join(', ');
    throw new Error(`No agent named "${ref}". Agents: ${names || 'none'}; or pass a JSON file.`);
  }
  return { agent: agentSchema.parse(row), agentId: row.id };
}

/** Starts a job, shows its progress until it ends, and writes its files (scripts, MP3s, subtitles) to `out`. */
export async function runJob(stack: Stack, options: RunOptions): Promise<RunResult> {
  const request = jobRequestSchema.parse({
    title: options.title,
    variations: options.variations,
    languages: options.languages,
  });
  const { agent, agentId } = await resolveAgent(stack, options.agent);
  const jobId = await startJob(stack, {
    ownerId: stack.ownerId,
    agent,
    agentId,
    title: request.title,
    languages: request.languages,
    variations: request.variations,
    budgetUsd: request.budget_usd,
  });
  if (!options.json) {
    process.stderr.write(`Job ${jobId} started.\n`);
    if (stack.temporalUiUrl) {
      process.stderr.write(
        `Temporal Web UI: ${stack.temporalUiUrl}/namespaces/${stack.config.TEMPORAL_NAMESPACE}/workflows/${jobId}\n`,
      );
    }
  }

  const view = options.json
    ? undefined
    : new ProgressView({
        variations: request.variations,
        languages: jobLanguages(agent, request.languages),
      });
  const handle = stack.client.workflow.getHandle(jobId);
  const ended = handle.result().then(
    () => undefined,
    (err: Error) => err,
  );
  let finished = false;
  void ended.then(() => {
    finished = true;
  });
  while (!finished) {
    const progress = await jobProgress(stack, jobId);
    if (progress) view?.update(progress);
    await Promise.race([ended, new Promise((r) => setTimeout(r, 500))]);
  }
  const final = await jobProgress(stack, jobId);
  if (final) view?.update(final);

  const job = await getJob(stack.db, jobId);
  const status = job?.status ?? 'failed';
  if (status !== 'completed' || !job?.result) {
    const failure = await ended;
    return {
      jobId,
      status,
      error: job?.error ?? (failure?.cause as Error | undefined)?.message ?? failure?.message,
      files: [],
    };
  }
  fs.mkdirSync(options.out, { recursive: true });
  const files: string[] = [];
  const save = async (key: string, name: string) => {
    const file = path.join(options.out, name);
    fs.writeFileSync(file, await stack.storage.get(key));
    files.push(file);
  };
  for (const a of await listArtifacts(stack.db, jobId)) await save(a.storage_key, artifactFileName(a));
  return { jobId, status, quality: job.result.quality, files };
}
