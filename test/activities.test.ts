import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createActivities, type LlmRequest, type LlmResult } from '@bolt/activities';
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

describe("the embedded model's replies (a scripted model in its place)", () => {
  let db: Db;
  let ownerId: string;
  let filesDir: string;
  let acts: ReturnType<typeof createActivities>;
  let replies: LlmResult[] = [];
  const asked: LlmRequest[] = [];
  const env = new MockActivityEnvironment({ attempt: 1 });

  beforeAll(async () => {
    const real = await realDeps();
    ({ db, ownerId, filesDir } = real);
    const model = {
      name: 'local',
      generate: async (req: LlmRequest) => {
        asked.push(req);
        const reply = replies.shift();
        if (!reply) throw new Error('the scripted model has no reply left');
        return reply;
      },
    };
    acts = createActivities({ ...real.deps, engines: { ...real.deps.engines, llm: () => model } });
  });
  afterAll(() => db?.destroy());

  const reply = (text: string, finishReason: LlmResult['finishReason'] = 'stop'): LlmResult => ({
    text,
    finishReason,
    tokensIn: 10,
    tokensOut: 10,
    model: 'scripted',
  });

  /** The premise the activity stores for these replies, and the requests it made. */
  async function premiseFrom(...scripted: LlmResult[]) {
    replies = scripted;
    asked.length = 0;
    const id = crypto.randomUUID();
    await insertJob(db, {
      id,
      owner_id: ownerId,
      agent_id: null,
      agent_snapshot: testAgent,
      title: `A ponte ${id}`,
      variations: 1,
      languages: ['pt-BR'],
      workflow_id: id,
    });
    const { key } = (await env.run(acts.generatePremise, { jobId: id })) as { key: string };
    return { text: fs.readFileSync(path.join(filesDir, key), 'utf8'), asked: [...asked] };
  }

  it('ends a reply cut off by the output limit at its last full sentence, without asking it to go on', async () => {
    const { text, asked } = await premiseFrom(
      reply('Era uma vez uma ponte antiga. O rio corria sob ela há séculos. E então um dia o', 'length'),
    );
    expect(text).toBe('Era uma vez uma ponte antiga. O rio corria sob ela há séculos.');
    expect(asked).toHaveLength(1);
  });

  it('asks once more, colder, for a degenerate reply, and keeps the better of the two', async () => {
    const salad = 'ponte\nrio\nnoite\nvento\nmar\ncasa';
    const story = 'A velha ponte de pedra guardava um segredo. Todas as noites, um barqueiro cruzava o rio.';
    const { text, asked } = await premiseFrom(reply(salad), reply(story));
    expect(text).toBe(story);
    expect(asked.map((r) => r.temperature)).toEqual([undefined, 0.3]);
    expect(asked[1]?.prompt).toBe(asked[0]?.prompt);
  });

  it('keeps the first reply when the second attempt is no better', async () => {
    const loop = Array.from({ length: 8 }, () => 'a ponte caiu no rio').join(' e ');
    const { text, asked } = await premiseFrom(reply(loop), reply('rio\nponte\nnoite\nmar'));
    expect(text).toBe(loop);
    expect(asked).toHaveLength(2);
  });

  it('asks once for a sound reply', async () => {
    const story = 'Numa cidade à beira do rio, uma ponte antiga esconde a história de dois irmãos.';
    const { text, asked } = await premiseFrom(reply(story));
    expect(text).toBe(story);
    expect(asked).toHaveLength(1);
  });
});
