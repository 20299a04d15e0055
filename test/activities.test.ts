import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createActivities } from '@bolt/activities';
import { type Agent, planBlocks, storageKeys } from '@bolt/core';
import { type Db, insertJob, listArtifacts } from '@bolt/data';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realDeps, testAgent } from './support/env.ts';
import { ffprobe } from './support/ffprobe.ts';

describe('job activities (real model, espeak-ng, ffmpeg, PostgreSQL)', () => {
  let env: MockActivityEnvironment;
  let acts: ReturnType<typeof createActivities>;
  let db: Db;
  let ownerId: string;
  let filesDir: string;
  let llmCalls = 0;

  beforeAll(async () => {
    const real = await realDeps();
    ({ db, ownerId, filesDir } = real);
    const engines = real.deps.engines;
    // Count calls reaching the real model (the wrapper only counts; the model does the work).
    acts = createActivities({
      ...real.deps,
      engines: {
        ...engines,
        llm: (agent, model, key) => {
          const llm = engines.llm(agent, model, key);
          return {
            name: llm.name,
            generate: (req) => {
              llmCalls++;
              return llm.generate(req);
            },
          };
        },
      },
    });
    env = new MockActivityEnvironment({ attempt: 1 });
  });
  afterAll(() => db?.destroy());
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) =>
    env.run(fn, ...args) as Promise<R>;

  async function newJob(agent: Agent = testAgent): Promise<string> {
    const id = crypto.randomUUID();
    await insertJob(db, {
      id,
      owner_id: ownerId,
      agent_id: null,
      agent_snapshot: agent,
      title: 'A ponte de Alcântara',
      variations: 1,
      languages: ['pt-BR', 'en-US'],
      workflow_id: id,
    });
    return id;
  }

  it('writes the premise once: a retry of a finished step makes no model call', async () => {
    const jobId = await newJob();
    const first = await run(acts.generatePremise, { jobId });
    expect(first.key).toBe(storageKeys.premise(jobId));
    const premise = fs.readFileSync(path.join(filesDir, first.key), 'utf8');
    expect(premise.trim().length).toBeGreaterThan(10);
    const calls = llmCalls;
    await run(acts.generatePremise, { jobId });
    expect(llmCalls).toBe(calls);
    expect(fs.readFileSync(path.join(filesDir, first.key), 'utf8')).toBe(premise);
    expect((await listArtifacts(db, jobId)).map((a) => a.kind)).toEqual(['premise']);
  });

  it('writes blocks, narrates them and assembles a playable MP3 with its duration', async () => {
    const jobId = await newJob();
    const plan = planBlocks(testAgent.block_structure_prompt);
    await run(acts.generatePremise, { jobId });
    for (const b of plan) await run(acts.writeBlock, { jobId, block: b.index, plan });
    const ref = { jobId, variation: 1, language: 'pt-BR' };
    const { key, chunks, detail } = await run(acts.prepareNarration, ref);
    const markdown = fs.readFileSync(path.join(filesDir, key), 'utf8');
    expect(markdown).toMatch(/^# A ponte de Alcântara\n\n## Gancho\n\n/);
    expect(markdown).toContain('## Desfecho');
    expect(chunks).toBeGreaterThan(0);
    expect(detail).toMatch(new RegExp(`^\\d+ words, ${chunks} speech chunks$`));
    for (let i = 0; i < chunks; i++) await run(acts.synthesizeChunk, { ...ref, chunk: i });
    const audio = await run(acts.assembleNarration, ref);
    const probe = JSON.parse(
      execFileSync(ffprobe, [
        '-v',
        'error',
        '-show_entries',
        'format=duration:stream=codec_name:format_tags=title',
        '-of',
        'json',
        path.join(filesDir, audio.key),
      ]).toString(),
    );
    expect(probe.streams[0].codec_name).toBe('mp3');
    expect(Number(probe.format.duration)).toBeCloseTo(audio.durationSeconds, 1);
    expect(audio.durationSeconds).toBeGreaterThan(1);
    expect(probe.format.tags.title).toBe('A ponte de Alcântara');
    const artifacts = await listArtifacts(db, jobId);
    expect(artifacts.find((a) => a.kind === 'audio')).toMatchObject({
      language: 'pt-BR',
      content_type: 'audio/mpeg',
    });
  });

  it('fails without retry when the voice does not exist, with a message naming it', async () => {
    const jobId = await newJob({ ...testAgent, default_voices: { 'pt-BR': 'no-such-voice' } });
    await run(acts.generatePremise, { jobId });
    const plan = planBlocks(testAgent.block_structure_prompt);
    for (const b of plan) await run(acts.writeBlock, { jobId, block: b.index, plan });
    const ref = { jobId, variation: 1, language: 'pt-BR' };
    await run(acts.prepareNarration, ref);
    await expect(run(acts.synthesizeChunk, { ...ref, chunk: 0 })).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('no-such-voice'),
    });
  });
});
