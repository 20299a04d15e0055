import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ActivityDeps } from '@bolt/activities';
import {
  type Agent,
  type JobProgress,
  type JobWorkflowInput,
  jobAgentSchema,
  loadConfig,
  type QualityReport,
  type Step,
  storageKeys,
  workflowIds,
} from '@bolt/core';
import {
  createCredential,
  type Db,
  getJob,
  insertJob,
  type JobRow,
  jobUsage,
  listArtifacts,
} from '@bolt/data';
import { jobProgress, rerollBlock, restoreBlock, retryJob } from '@bolt/jobs';
import { editBlockSignal, type jobWorkflow, narrationWorkflow } from '@bolt/workflows';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProviders } from './fakes/providers.ts';
import { repoRoot } from './support/env.ts';
import { ffprobe } from './support/ffprobe.ts';
import { type DevWorker, startDevWorker } from './support/temporal.ts';

const TASK_QUEUE = 'bolt-pipeline';
const fixturesDir = path.join(repoRoot, 'test/fixtures/histories');
/** Requests per minute per key: one Gemini request per 100 ms, one TTS request per 50 ms. */
const RATE_LIMITS = 'gemini=600,google-tts=1200,openai=600';

const agent: Agent = jobAgentSchema.parse({
  name: 'Pipeline Stories',
  language: 'pt-BR',
  premise_prompt: 'Escreva a premissa da história em duas frases.',
  persona_and_global_rules_prompt: 'Você é um narrador.',
  block_structure_prompt: '3 blocos de ~40 palavras: gancho, conflito, desfecho',
  cultural_adaptation_prompt: 'Adapte para o público do idioma de destino.',
  target_languages: ['en-US', 'es-ES'],
  default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C', 'es-ES': 'es-ES-Wavenet-B' },
  llm_provider: 'gemini',
  llm_model: 'gemini-2.5-pro',
  llm_fallback_model: 'gemini-2.5-flash',
  tts_provider: 'google',
});
const LANGUAGES = ['pt-BR', 'en-US', 'es-ES'];

describe('the full pipeline against fake Gemini and Google Cloud TTS (real Temporal, ffmpeg, PostgreSQL)', () => {
  let dev: DevWorker;
  let env: TestWorkflowEnvironment;
  let fake: FakeProviders;
  let db: Db;
  let filesDir: string;
  let credentialsKey: Buffer;
  let storage: ActivityDeps['storage'];
  let ffmpeg: string;

  beforeAll(async () => {
    dev = await startDevWorker({
      taskQueue: TASK_QUEUE,
      vars: { BOLT_RATE_LIMITS: RATE_LIMITS, BOLT_LOCAL_MAX_TOKENS: '1024' },
      worker: { maxHeartbeatThrottleInterval: '1 second' },
    });
    ({ env, fake, db, filesDir, credentialsKey } = dev);
    ({ storage } = dev.deps);
    ({ ffmpeg } = dev.deps.audio);
  });
  afterAll(() => dev?.stop());

  /** A user with the given keys (stored encrypted, like the API does). */
  async function newUser(keys: { gemini?: string[]; tts?: string[]; openai?: string[] }): Promise<string> {
    const [user] = await db('users')
      .insert({ email: `${crypto.randomUUID()}@example.test` })
      .returning('id');
    for (const [provider, secrets] of [
      ['gemini', keys.gemini ?? []],
      ['google-tts', keys.tts ?? []],
      ['openai', keys.openai ?? []],
    ] as const)
      for (const secret of secrets)
        await createCredential(db, credentialsKey, { userId: user.id, provider, label: provider, secret });
    return user.id;
  }

  async function startJob(
    ownerId: string,
    opts: {
      variations?: number;
      languages?: string[];
      title?: string;
      budgetUsd?: number;
      agent?: Agent;
    } = {},
  ) {
    const jobId = crypto.randomUUID();
    const input: JobWorkflowInput = {
      jobId,
      source: (opts.agent ?? agent).language,
      languages: opts.languages ?? LANGUAGES,
      variations: opts.variations ?? 1,
    };
    await insertJob(db, {
      id: jobId,
      owner_id: ownerId,
      agent_id: null,
      agent_snapshot: opts.agent ?? agent,
      title: opts.title ?? 'A ponte de Alcântara',
      variations: input.variations,
      languages: input.languages,
      workflow_id: jobId,
      budget_usd: opts.budgetUsd ?? null,
    });
    const handle = await env.client.workflow.start<typeof jobWorkflow>('jobWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: workflowIds.job(jobId),
      args: [input],
    });
    return { jobId, input, handle };
  }

  const file = (key: string) => path.join(filesDir, key);
  /** Integrated loudness of a stored narration, measured by ffmpeg's EBU R128 meter. */
  const loudness = (key: string) => {
    // biome-ignore format: one ffmpeg flag and its value per line reads best
    const meter = spawnSync(ffmpeg, [
      '-hide_banner', '-nostats', '-i', file(key), '-af', 'ebur128', '-f', 'null', '-',
    ], { encoding: 'utf8' }).stderr;
    return Number(/I:\s+(-?[\d.]+) LUFS/.exec(meter.split('Summary:')[1] ?? '')?.[1]);
  };
  const probe = (key: string) =>
    JSON.parse(
      execFileSync(ffprobe, [
        '-v',
        'error',
        '-show_format',
        '-show_chapters',
        '-of',
        'json',
        file(key),
      ]).toString(),
    );

  it('delivers 3 variations × 3 languages: MP3s with chapters at −16 LUFS, SRT/VTT, scripts; history holds references only', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-1'], tts: ['valid-tts-1'] });
    const { jobId, handle } = await startJob(ownerId, { variations: 3 });
    const progress: JobProgress = await handle.result();
    expect(progress.status).toBe('completed');
    expect(progress.children).toHaveLength(9);

    const job = await getJob(db, jobId);
    expect(job?.status).toBe('completed');
    expect(job?.result?.variations).toHaveLength(3);
    const artifacts = await listArtifacts(db, jobId);
    const count = (kind: string) => artifacts.filter((a) => a.kind === kind).length;
    expect([
      count('audio'),
      count('subtitles'),
      count('chapters'),
      count('script'),
      count('premise'),
      count('quality'),
    ]).toEqual([9, 18, 9, 9, 1, 9]);
    // Block titles are translated with the adaptation, once per language, for every variation.
    const source = ['Gancho', 'Conflito', 'Desfecho'];
    const titles: Record<string, string[]> = { 'pt-BR': source };
    for (const language of ['en-US', 'es-ES']) {
      titles[language] = JSON.parse(fs.readFileSync(file(storageKeys.titles(jobId, language)), 'utf8'));
      expect(titles[language], language).toHaveLength(3);
      for (const title of source) expect(titles[language], language).not.toContain(title);
    }
    const chapters = fs.readFileSync(file(storageKeys.chapters(jobId, 1, 'en-US')), 'utf8');
    expect(chapters.match(/ --> /g)).toHaveLength(3);
    expect(chapters).not.toContain('Conflito');
    expect(chapters).toContain(titles['en-US']?.[1]);
    // Paid for once per language: the script steps make no other model call.
    const titleCalls = await db('usage')
      .where({ job_id: jobId, cached: false })
      .andWhere('step', 'like', '%.script');
    expect(titleCalls.map((r) => r.step.split('.')[1]).sort()).toEqual(['en-US', 'es-ES']);
    const script = fs.readFileSync(file(storageKeys.script(jobId, 3, 'es-ES')), 'utf8');
    expect([...script.matchAll(/^## (.*)$/gm)].map((m) => m[1])).toEqual(titles['es-ES']);

    for (const v of job?.result?.variations ?? []) {
      for (const language of LANGUAGES) {
        const mp3 = v.audio[language] as string;
        expect(mp3).toBe(storageKeys.audio(jobId, v.variation, language));
        const info = probe(mp3);
        expect(info.format.format_name).toBe('mp3');
        expect(info.chapters.map((c: { tags: { title: string } }) => c.tags.title)).toEqual(titles[language]);
        const duration = Number(info.format.duration);
        const srt = fs.readFileSync(file(v.subtitles[language]?.srt as string), 'utf8');
        const vtt = fs.readFileSync(file(v.subtitles[language]?.vtt as string), 'utf8');
        expect(vtt.startsWith('WEBVTT')).toBe(true);
        const ends = [...srt.matchAll(/--> (\d\d):(\d\d):(\d\d),(\d\d\d)/g)].map(
          ([, h, m, s, ms]) => Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000,
        );
        expect(ends.length).toBeGreaterThan(3);
        expect(ends.at(-1)).toBeLessThanOrEqual(duration + 0.1);
        expect(ends.at(-1)).toBeGreaterThan(duration - 1);
      }
    }
    // Every narration was checked: its script in its language, its speech chunk by chunk; all pass.
    expect(job?.result?.quality).toMatchObject({ verdict: 'pass', summary: '9 narrations: 9 pass' });
    const report: QualityReport = JSON.parse(
      fs.readFileSync(file(storageKeys.quality(jobId, 2, 'es-ES')), 'utf8'),
    );
    expect(report).toMatchObject({ variation: 2, language: 'es-ES', verdict: 'pass', notes: [] });
    expect(report.blocks.map((b) => b.title)).toEqual(titles['es-ES']);
    expect(report.blocks[0]?.checks.find((c) => c.name === 'language')?.detail).toBe('es, as asked');
    const plan = JSON.parse(fs.readFileSync(file(storageKeys.narrationPlan(jobId, 2, 'es-ES')), 'utf8'));
    expect(report.chunks).toHaveLength(plan.chunks.length);
    expect(report.chunks.every((c) => c.seconds > 0 && c.checks.some((x) => x.name === 'pace'))).toBe(true);
    // Heard back by Gemini (the agent's model provider), each chunk says its text: no retake needed.
    expect(report.chunks.map((c) => [c.wordErrorRate, c.takes])).toEqual(report.chunks.map(() => [0, 1]));

    // Variations differ from the master; languages differ from each other.
    const scripts = (job?.result?.variations ?? []).map((v) =>
      fs.readFileSync(file(v.scripts['pt-BR'] as string), 'utf8'),
    );
    expect(new Set(scripts).size).toBe(3);

    const integrated = loudness(job?.result?.audio['en-US'] as string);
    expect(integrated).toBeGreaterThan(-17.5);
    expect(integrated).toBeLessThan(-14.5);

    // The seed's counters come from the usage ledger and the measured audio.
    const usage = await jobUsage(db, jobId);
    expect(usage.paidCalls).toBeGreaterThan(20);
    expect(job?.tts_chars).toBe(usage.ttsChars);
    expect(job?.audio_seconds).toBeGreaterThan(9);

    // Histories carry keys and counts: never a key, a prompt or generated text.
    const history = historyToJSON(await handle.fetchHistory());
    const child = env.client.workflow.getHandle(workflowIds.narration(jobId, 2, 'en-US'));
    const childHistory = historyToJSON(await child.fetchHistory());
    for (const h of [history, childHistory]) {
      expect(h).not.toContain('valid-gemini-1');
      expect(h).not.toContain('valid-tts-1');
      expect(h).not.toContain(agent.premise_prompt);
      expect(h).not.toContain(fs.readFileSync(file(storageKeys.premise(jobId)), 'utf8').slice(0, 30));
    }
    if (process.env.BOLT_RECORD_HISTORIES === '1') {
      fs.mkdirSync(fixturesDir, { recursive: true });
      fs.writeFileSync(path.join(fixturesDir, 'job-3x3.json'), history);
      fs.writeFileSync(path.join(fixturesDir, 'narration-v2-en-US.json'), childHistory);
    }
  });

  it("runs 20 variations × 10 languages: 200 narrations, every history far under Temporal's limits", async () => {
    const languages = [
      'pt-BR',
      'en-US',
      'en-GB',
      'pt-PT',
      'es-ES',
      'es-US',
      'fr-FR',
      'de-DE',
      'it-IT',
      'ja-JP',
    ];
    const short = jobAgentSchema.parse({
      ...agent,
      block_structure_prompt: '1 bloco de ~20 palavras: relato',
      target_languages: languages.slice(1),
    });
    const ownerId = await newUser({
      gemini: ['valid-gemini-scale-1', 'valid-gemini-scale-2'],
      tts: ['valid-tts-scale-1', 'valid-tts-scale-2'],
    });
    const { jobId, handle } = await startJob(ownerId, {
      agent: short,
      variations: 20,
      languages,
      title: 'Escala',
    });
    expect((await handle.result()).status).toBe('completed');
    const audio = (await listArtifacts(db, jobId)).filter((a) => a.kind === 'audio');
    expect(audio).toHaveLength(200);

    // Temporal warns at 10,240 events or 10 MB of history and stops a workflow at 51,200 or 50 MB.
    const sizes = [{ id: workflowIds.job(jobId), ...(await historySize(workflowIds.job(jobId))) }];
    for (let v = 1; v <= 20; v++)
      for (const language of languages) {
        const id = workflowIds.narration(jobId, v, language);
        sizes.push({ id, ...(await historySize(id)) });
      }
    expect(sizes).toHaveLength(201);
    // Far under means a quarter of the warning levels for the job, a hundredth for each narration.
    const [parent, ...children] = sizes;
    expect(parent?.events).toBeLessThan(2_560);
    expect(parent?.bytes).toBeLessThan(2_500_000);
    expect(Math.max(...children.map((c) => c.events))).toBeLessThan(102);
    expect(Math.max(...children.map((c) => c.bytes))).toBeLessThan(100_000);

    // The job's progress lists all 200 narrations' steps; once read, closed narrations are not queried
    // again (a query on a closed workflow makes a worker replay it).
    let queries = 0;
    const counting = new Client({
      connection: env.connection,
      interceptors: {
        workflow: [
          {
            query: (input, next) => {
              queries++;
              return next(input);
            },
          },
        ],
      },
    });
    const services = { db, client: counting, config: loadConfig({ BOLT_DATA_DIR: filesDir }) };
    const first = await jobProgress(services, jobId);
    expect(first?.steps.filter((s) => s.id.endsWith('.audio'))).toHaveLength(200);
    expect(queries).toBe(201);
    queries = 0;
    expect(await jobProgress(services, jobId)).toEqual(first);
    expect(queries).toBe(1);
  });

  async function historySize(workflowId: string): Promise<{ events: number; bytes: number }> {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    return { events: history.events?.length ?? 0, bytes: historyToJSON(history).length };
  }

  it.each([
    { name: 'OpenAI models and OpenAI TTS', llm: 'openai', tts: 'openai', api: 'openai' },
    { name: 'Gemini models and Gemini TTS', llm: 'gemini', tts: 'gemini', api: 'gemini' },
  ] as const)('delivers a job on $name: MP3s at −16 LUFS with subtitles', async ({ llm, tts, api }) => {
    const other = jobAgentSchema.parse({
      ...agent,
      llm_provider: llm,
      llm_model: llm === 'openai' ? 'gpt-4o-mini' : 'gemini-2.5-flash',
      llm_fallback_model: '',
      tts_provider: tts,
      default_voices: {},
    });
    const key = `valid-${api}-whole-job`;
    const ownerId = await newUser({ [api]: [key] });
    const { jobId, handle } = await startJob(ownerId, { agent: other, languages: ['pt-BR', 'en-US'] });
    expect((await handle.result()).status).toBe('completed');
    const speech = fake.requests.filter((r) => r.key === key && r.completed && /speech|tts/i.test(r.path));
    expect(speech.length).toBeGreaterThanOrEqual(2);
    for (const language of ['pt-BR', 'en-US']) {
      const mp3 = storageKeys.audio(jobId, 1, language);
      expect(Number(probe(mp3).format.duration)).toBeGreaterThan(1);
      expect(Math.abs(loudness(mp3) + 16)).toBeLessThan(1);
      expect(fs.readFileSync(file(storageKeys.subtitles(jobId, 1, language, 'srt')), 'utf8')).toMatch(
        /^1\n00:00:00,000 --> /,
      );
    }
  });

  it('an identical re-run makes no paid call: everything comes from the cache', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-rerun'], tts: ['valid-tts-rerun'] });
    const first = await startJob(ownerId, { title: 'O farol esquecido' });
    await first.handle.result();
    const calls = fake.requests.filter((r) => r.key.endsWith('-rerun')).length;
    expect(calls).toBeGreaterThan(10);

    const again = await startJob(ownerId, { title: 'O farol esquecido' });
    expect((await again.handle.result()).status).toBe('completed');
    expect(fake.requests.filter((r) => r.key.endsWith('-rerun')).length).toBe(calls);
    const usage = await jobUsage(db, again.jobId);
    expect(usage).toMatchObject({ paidCalls: 0, costUsd: 0 });
    expect(usage.cachedCalls).toBeGreaterThan(10);
    const mp3 = (id: string) => fs.readFileSync(file(storageKeys.audio(id, 1, 'en-US')));
    expect(mp3(again.jobId).equals(mp3(first.jobId))).toBe(true);
  });

  it('rides out a 429 storm: rotates to the next key, keeps each key under its rate, completes', async () => {
    const ownerId = await newUser({
      gemini: ['quota-gemini-storm', 'valid-gemini-storm'],
      tts: ['valid-tts-storm'],
    });
    fake.inject({ api: 'google-tts', kind: '429', times: 4, retryDelaySeconds: 1 });
    const { jobId, handle } = await startJob(ownerId, { title: 'Tempestade de pedidos' });
    expect((await handle.result()).status).toBe('completed');
    // Waiting out the 429s was not failing: every step completed on its first attempt.
    const steps = (await jobProgress({ db, client: env.client }, jobId))?.steps ?? [];
    expect(steps.length).toBeGreaterThan(10);
    expect(steps.filter((s) => (s.attempt ?? 1) > 1)).toEqual([]);

    const mine = fake.requests.filter((r) => r.key.endsWith('-storm'));
    // Rotation: the throttled key was tried and answered 429; every completed text call used the other.
    expect(mine.some((r) => r.key === 'quota-gemini-storm' && r.status === 429)).toBe(true);
    const text = mine.filter((r) => r.api === 'gemini' && r.completed);
    expect(text.length).toBeGreaterThan(5);
    expect(text.every((r) => r.key === 'valid-gemini-storm')).toBe(true);
    expect(mine.filter((r) => r.api === 'google-tts' && r.status === 429)).toHaveLength(4);
    // Pacing: no key ever sent more than its limit in any one-second window.
    for (const [key, perSecond] of [
      ['valid-gemini-storm', 10],
      ['valid-tts-storm', 20],
    ] as const) {
      const times = mine.filter((r) => r.key === key).map((r) => r.at);
      const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
      expect(busiest, key).toBeLessThanOrEqual(perSecond + 1);
    }
  });

  it('shows why a step is being tried again and how long it waits, while it waits', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-wait'], tts: ['valid-tts-wait'] });
    // A server error is left to Temporal's retries (1 s, 2 s, 4 s apart): three in a row.
    fake.inject({ api: 'gemini', kind: '500', times: 3 });
    const { jobId, handle } = await startJob(ownerId, { title: 'A espera', languages: ['pt-BR'] });
    const services = { db, client: env.client };
    let retrying: Step | undefined;
    for (const until = Date.now() + 30_000; !retrying && Date.now() < until; ) {
      retrying = (await jobProgress(services, jobId))?.steps.find((s) => s.retry);
      if (!retrying) await new Promise((r) => setTimeout(r, 200));
    }
    expect(retrying).toMatchObject({
      id: 'premise',
      state: 'running',
      retry: { reason: expect.any(String) },
    });
    const retry = retrying?.retry;
    expect(retry?.attempt).toBeGreaterThanOrEqual(2);
    expect(retrying?.attempt).toBe(retry?.attempt);
    expect(retry?.waitMs).toBe(1000 * 2 ** ((retry?.attempt ?? 2) - 2));
    expect(Date.parse(retry?.nextAt ?? '')).toBeGreaterThan(Date.now() - 5000);
    expect(JSON.stringify(retrying)).not.toContain('valid-gemini-wait');

    expect((await handle.result()).status).toBe('completed');
    const premise = (await jobProgress(services, jobId))?.steps.find((s) => s.id === 'premise');
    expect(premise).toMatchObject({ state: 'completed', attempt: 4 });
    expect(premise?.retry).toBeUndefined();
  });

  it('fails on the first attempt with a clear message when the key is invalid', async () => {
    const ownerId = await newUser({ gemini: ['bad-gemini-key'], tts: ['valid-tts-bad'] });
    const { jobId, handle } = await startJob(ownerId, { title: 'Chave errada' });
    await expect(handle.result()).rejects.toThrow();
    const job = await getJob(db, jobId);
    expect(job?.status).toBe('failed');
    expect(job?.error).toMatch(/Credentials/);
    expect(job?.error).not.toContain('bad-gemini-key');
    expect(fake.requests.filter((r) => r.key === 'bad-gemini-key')).toHaveLength(1);
  });

  it('completes on the user’s other key when the provider refuses one of them, trying it at most once a call', async () => {
    const ownerId = await newUser({
      gemini: ['revoked-gemini-key', 'valid-gemini-spare'],
      tts: ['valid-tts-spare'],
    });
    const { jobId, handle } = await startJob(ownerId, { title: 'Chave revogada', languages: ['pt-BR'] });
    expect((await handle.result()).status).toBe('completed');
    const refused = fake.requests.filter((r) => r.key === 'revoked-gemini-key');
    const served = fake.requests.filter((r) => r.key === 'valid-gemini-spare' && r.status === 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.status >= 400 && r.status < 500)).toBe(true);
    // No step needed a second attempt: each call set the refused key aside and went on with the other.
    const steps = (await jobProgress({ db, client: env.client }, jobId))?.steps ?? [];
    expect(steps.filter((s) => s.state === 'completed' && (s.attempt ?? 1) > 1)).toEqual([]);
    expect(refused.length).toBeLessThanOrEqual(served.length);
  });

  it('stops cleanly before a call would take the job over its budget', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-budget'], tts: ['valid-tts-budget'] });
    const { jobId, handle } = await startJob(ownerId, { title: 'Orçamento curto', budgetUsd: 0.015 });
    await expect(handle.result()).rejects.toThrow();
    const job = await getJob(db, jobId);
    expect(job?.status).toBe('failed');
    expect(job?.error).toMatch(/budget of \$0\.01/);
    const usage = await jobUsage(db, jobId);
    expect(usage.paidCalls).toBeGreaterThan(3);
    expect(usage.costUsd).toBeLessThanOrEqual(0.015);
  });

  it('continues a reply cut off at the output limit instead of keeping half a text', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-cut'], tts: ['valid-tts-cut'] });
    fake.inject({ api: 'gemini', kind: 'truncate', times: 1 });
    const { jobId, handle } = await startJob(ownerId, { title: 'Meia história', languages: ['pt-BR'] });
    expect((await handle.result()).status).toBe('completed');
    const premiseCalls = await db('usage').where({ job_id: jobId, step: 'premise', cached: false });
    expect(premiseCalls).toHaveLength(2);
    const cut = fake.requests.filter((r) => r.key === 'valid-gemini-cut' && r.fault === 'truncate');
    expect(cut).toHaveLength(1);
  });

  it('writes a block that fails its checks again, once, as a paid call of the review step', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-review'], tts: ['valid-tts-review'] });
    // One Spanish adaptation comes back in Portuguese, as from a model that did not translate.
    fake.inject({ api: 'gemini', kind: 'wrong-language', times: 1, matching: 'text in European Spanish' });
    const { jobId, handle } = await startJob(ownerId, { title: 'A segunda tentativa', languages: ['es-ES'] });
    expect((await handle.result()).status).toBe('completed');

    const report: QualityReport = JSON.parse(
      fs.readFileSync(file(storageKeys.quality(jobId, 1, 'es-ES')), 'utf8'),
    );
    const rewritten = report.blocks.filter((b) => b.rewritten);
    expect(rewritten).toHaveLength(1);
    expect(rewritten[0]?.before?.checks.find((c) => c.name === 'language')).toMatchObject({
      verdict: 'fail',
      detail: 'written in pt, not es',
    });
    expect(report.verdict).toBe('pass');
    expect(report.blocks.every((b) => b.verdict === 'pass')).toBe(true);
    // The rewrite is one more paid call, in the ledger under the review step; the stricter prompt asked it.
    const review = await db('usage').where({ job_id: jobId, step: 'v1.es-ES.review', cached: false });
    expect(review).toHaveLength(1);
    const rewrites = fake.requests.filter((r) => r.key === 'valid-gemini-review' && r.completed);
    expect(rewrites.filter((r) => r.fault === 'wrong-language')).toHaveLength(1);
    expect((await getJob(db, jobId))?.result?.quality?.verdict).toBe('pass');
  });

  it('completes a job whose narration still fails its checks, and says so', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-stubborn'], tts: ['valid-tts-stubborn'] });
    // Every Spanish adaptation and every rewrite of one comes back in Portuguese.
    fake.inject({ api: 'gemini', kind: 'wrong-language', times: 100, matching: 'text in European Spanish' });
    try {
      const { jobId, handle } = await startJob(ownerId, { title: 'Teimosia', languages: ['pt-BR', 'es-ES'] });
      expect((await handle.result()).status).toBe('completed');
      const job = await getJob(db, jobId);
      expect(job?.status).toBe('completed');
      expect(job?.result?.quality).toMatchObject({
        verdict: 'fail',
        summary: '2 narrations: 1 pass, 1 fail: es-ES v1 block 1 (rewritten): written in pt, not es',
      });
      // The files are all there: a failed check does not withhold them.
      expect(job?.result?.audio['es-ES']).toBe(storageKeys.audio(jobId, 1, 'es-ES'));
      const review = await db('usage').where({ job_id: jobId, step: 'v1.es-ES.review', cached: false });
      expect(review).toHaveLength(3);
    } finally {
      fake.clearFaults();
    }
  });

  it('synthesizes a chunk again when its transcript misses words, at most twice, then flags it', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-heard'], tts: ['valid-tts-heard'] });
    const transcriptions = () =>
      fake.requests.filter((r) => r.key === 'valid-gemini-heard' && r.completed && r.fault === 'drop-words');
    // One transcript misses every third word: that chunk is synthesized again and heard whole.
    fake.inject({ api: 'gemini', kind: 'drop-words', times: 1 });
    const once = await startJob(ownerId, { title: 'Ouvido atento', languages: ['pt-BR'] });
    expect((await once.handle.result()).status).toBe('completed');
    expect(transcriptions()).toHaveLength(1);
    const heard: QualityReport = JSON.parse(
      fs.readFileSync(file(storageKeys.quality(once.jobId, 1, 'pt-BR')), 'utf8'),
    );
    const retaken = heard.chunks.filter((c) => (c.takes ?? 1) > 1);
    expect(retaken).toHaveLength(1);
    expect(retaken[0]?.checks.find((c) => c.name === 'round-trip')).toMatchObject({
      verdict: 'pass',
      detail: 'word error rate 0.00, after 1 re-synthesis',
    });
    expect(heard.verdict).toBe('pass');
    // The new take is what the MP3 is made of, and a paid speech call of the quality step.
    const quality = await db('usage').where({ job_id: once.jobId, step: 'v1.pt-BR.quality', cached: false });
    expect(quality.filter((u) => u.provider === 'google-tts')).toHaveLength(1);
    expect(quality.filter((u) => u.provider === 'gemini-asr').length).toBe(heard.chunks.length + 1);

    // Every transcript misses words: each chunk is taken three times, then flagged.
    fake.inject({ api: 'gemini', kind: 'drop-words', times: 1000 });
    try {
      const stuck = await startJob(ownerId, { title: 'Ouvido duro', languages: ['pt-BR'] });
      expect((await stuck.handle.result()).status).toBe('completed');
      const job = await getJob(db, stuck.jobId);
      expect(job?.result?.quality?.verdict).toBe('warn');
      expect(job?.result?.quality?.summary).toMatch(
        /^1 narration: 1 warn: pt-BR v1 chunk 1: word error rate 0\.\d\d, after 2 re-syntheses$/,
      );
    } finally {
      fake.clearFaults();
    }
  });

  it('retries a failed job from the failed step, paying for nothing twice', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-retry'], tts: ['valid-tts-retry'] });
    fake.inject({ api: 'google-tts', kind: 'invalid-key', times: 1 });
    const { jobId, input, handle } = await startJob(ownerId, { title: 'Segunda chance' });
    await expect(handle.result()).rejects.toThrow();
    expect((await getJob(db, jobId))?.status).toBe('failed');

    const rerun = await env.client.workflow.start<typeof jobWorkflow>('jobWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: workflowIds.job(jobId),
      args: [input],
    });
    expect((await rerun.result()).status).toBe('completed');
    expect((await getJob(db, jobId))?.status).toBe('completed');
    const completed = fake.requests.filter((r) => r.key.endsWith('-retry') && r.completed);
    expect(new Set(completed.map((r) => r.bodyHash)).size).toBe(completed.length);
  });

  it('re-narrates only the chunks of an edited block', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-edit'], tts: ['valid-tts-edit'] });
    const { jobId } = await startJob(ownerId, { title: 'Texto revisto', languages: ['pt-BR', 'en-US'] });
    await env.client.workflow.getHandle(workflowIds.job(jobId)).result();
    const before = fs.readFileSync(file(storageKeys.audio(jobId, 1, 'en-US')));
    const speech = () => fake.requests.filter((r) => r.key === 'valid-tts-edit' && r.completed).length;
    const calls = speech();
    const services = { db, client: env.client };
    const narrationSteps = async () =>
      ((await jobProgress(services, jobId))?.steps ?? []).filter((s) => s.id.startsWith('v1.en-US.'));
    const firstRound = await narrationSteps();
    const firstUsage = await db('usage').where({ job_id: jobId }).count<[{ count: string }]>('* as count');

    const edited =
      'The bridge held in 1999. Nobody in the village ever spoke of that night again, Mr. Smith.';
    const spoken =
      'The bridge held in nineteen ninety-nine. Nobody in the village ever spoke of that night again, Mister Smith.';
    fs.writeFileSync(file(storageKeys.block(jobId, 1, 'en-US', 1)), edited);
    const narration = await env.client.workflow.signalWithStart(narrationWorkflow, {
      taskQueue: TASK_QUEUE,
      workflowId: workflowIds.narration(jobId, 1, 'en-US'),
      args: [{ jobId, variation: 1, language: 'en-US', source: 'pt-BR', blocks: 3, edited: true }],
      signal: editBlockSignal,
      signalArgs: [{ block: 1 }],
    });
    expect((await narration.result()).audio).toBe(storageKeys.audio(jobId, 1, 'en-US'));
    // The first round's steps stay as they were, times included; the edit is a round of its own.
    const steps = await narrationSteps();
    expect(steps.slice(0, firstRound.length)).toEqual(firstRound);
    const edit = steps.slice(firstRound.length);
    const round = /^v1\.en-US\.edit-[0-9a-z]+-0\./;
    expect(edit.length).toBeGreaterThan(3);
    expect(edit.filter((s) => !round.test(s.id))).toEqual([]);
    expect(edit.every((s) => s.state === 'completed')).toBe(true);

    const plan = JSON.parse(fs.readFileSync(file(storageKeys.narrationPlan(jobId, 1, 'en-US')), 'utf8'));
    const editedChunks = plan.chunks.filter((c: { block: number }) => c.block === 1);
    // The voice is given the words as said; the script and the subtitles keep them as written.
    expect(editedChunks.map((c: { text: string }) => c.text).join(' ')).toBe(spoken);
    expect(editedChunks.map((c: { written: string }) => c.written).join(' ')).toBe(edited);
    expect(speech() - calls).toBe(editedChunks.length);
    // The edit's calls are its own steps' in the ledger; the first round's rows are untouched.
    const paidInEdit = await db('usage')
      .where({ job_id: jobId, cached: false })
      .andWhere('step', 'like', 'v1.en-US.edit-%');
    expect(paidInEdit.every((r) => round.test(r.step))).toBe(true);
    // Speech for the edited chunks, and hearing them back in the quality step.
    expect(paidInEdit.filter((r) => r.step.includes('.tts-'))).toHaveLength(editedChunks.length);
    const earlier = await db('usage')
      .where({ job_id: jobId })
      .andWhereNot('step', 'like', 'v1.en-US.edit-%')
      .count<[{ count: string }]>('* as count');
    expect(earlier[0]?.count).toBe(firstUsage[0]?.count);
    expect(fs.readFileSync(file(storageKeys.audio(jobId, 1, 'en-US'))).equals(before)).toBe(false);
    expect(fs.readFileSync(file(storageKeys.script(jobId, 1, 'en-US')), 'utf8')).toContain(edited);
    const srt = fs.readFileSync(file(storageKeys.subtitles(jobId, 1, 'en-US', 'srt')), 'utf8');
    expect(srt).toContain('1999');
    expect(srt).toContain('Mr. Smith');
    expect(srt).not.toContain('nineteen');
  });

  it('writes a block anew on request, then restores the take it replaced; only that narration speaks again', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-reroll'], tts: ['valid-tts-reroll'] });
    const { jobId } = await startJob(ownerId, { title: 'Outra versão', languages: ['pt-BR', 'en-US'] });
    await env.client.workflow.getHandle(workflowIds.job(jobId)).result();
    const job = (await getJob(db, jobId)) as JobRow;
    const config = loadConfig({ BOLT_DATA_DIR: filesDir, TEMPORAL_TASK_QUEUE: TASK_QUEUE });
    const services = { db, client: env.client, storage, config };
    const ref = { variation: 1, language: 'en-US', block: 1 };
    const block = () => fs.readFileSync(file(storageKeys.block(jobId, 1, 'en-US', 1)), 'utf8');
    const speech = () => fake.requests.filter((r) => r.key === 'valid-tts-reroll' && r.completed).length;
    const paidSteps = async (like: string) =>
      (await db('usage').where({ job_id: jobId, cached: false }).andWhere('step', 'like', like)).length;
    const first = block();
    const before = speech();

    // New text for block 2 of the English narration: one paid model call, then its chunks spoken.
    await env.client.workflow.getHandle(await rerollBlock(services, job, ref)).result();
    const second = block();
    expect(second.trim()).not.toBe(first.trim());
    expect(second.trim().split(' ').length).toBeGreaterThan(5);
    expect(fs.readFileSync(file(storageKeys.previousBlock(jobId, 1, 'en-US', 1)), 'utf8')).toBe(first);
    expect(await paidSteps('v1.en-US.edit-%.reroll-2')).toBe(1);
    const plan = JSON.parse(fs.readFileSync(file(storageKeys.narrationPlan(jobId, 1, 'en-US')), 'utf8'));
    const rerolled = plan.chunks.filter((c: { block: number }) => c.block === 1);
    expect(speech() - before).toBe(rerolled.length);
    const script = fs.readFileSync(file(storageKeys.script(jobId, 1, 'en-US')), 'utf8');
    expect(script.replace(/\s+/g, ' ')).toContain(second.trim().replace(/\s+/g, ' '));
    // The Portuguese narration was left alone.
    expect(await paidSteps('v1.pt-BR.edit-%')).toBe(0);

    // Restored: the first take is back, and its speech comes from the cache.
    const spoken = speech();
    await env.client.workflow.getHandle(await restoreBlock(services, job, ref)).result();
    expect(block().trim()).toBe(first.trim());
    expect(speech()).toBe(spoken);
    // Restoring again swaps back: the re-rolled take was kept as the previous one.
    expect(fs.readFileSync(file(storageKeys.previousBlock(jobId, 1, 'en-US', 1)), 'utf8').trim()).toBe(
      second.trim(),
    );
  });

  it('cancels a running job: its narrations and their activities stop, status cancelled', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-cancel'], tts: ['valid-tts-cancel'] });
    fake.setLatency(400);
    try {
      const { jobId, handle } = await startJob(ownerId, { title: 'Interrompida' });
      const started = Date.now();
      for (;;) {
        const p = await handle.query<JobProgress>('progress');
        if (p.steps.some((s) => s.id.startsWith('v1.') && s.state === 'running')) break;
        if (Date.now() - started > 60_000) throw new Error('no narration started within a minute');
        await new Promise((r) => setTimeout(r, 200));
      }
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      expect((await getJob(db, jobId))?.status).toBe('cancelled');
      // Activities learn of the cancellation at their next heartbeat; after that nothing new starts.
      await new Promise((r) => setTimeout(r, 2000));
      for (const language of LANGUAGES) {
        const child = await env.client.workflow
          .getHandle(workflowIds.narration(jobId, 1, language))
          .describe();
        expect(child.status.name, language).toBe('CANCELLED');
      }
      const settled = fake.requests.filter((r) => r.key.endsWith('-cancel')).length;
      await new Promise((r) => setTimeout(r, 3000));
      expect(fake.requests.filter((r) => r.key.endsWith('-cancel')).length).toBe(settled);
    } finally {
      fake.setLatency(0);
    }
  });

  it('retries a job whose status says cancelled while its run is still closing', async () => {
    const ownerId = await newUser({ gemini: ['valid-gemini-again'], tts: ['valid-tts-again'] });
    fake.setLatency(400);
    const { jobId, handle } = await startJob(ownerId, { title: 'De novo', languages: ['pt-BR'] });
    try {
      await expect
        .poll(async () => (await handle.query<JobProgress>('progress')).steps.length)
        .toBeGreaterThan(1);
      await handle.cancel();
    } finally {
      fake.setLatency(0);
    }
    // What the API reads in the moment between the run recording "cancelled" and closing.
    const job = { ...(await getJob(db, jobId)), status: 'cancelled' } as JobRow;
    const config = loadConfig({ BOLT_DATA_DIR: filesDir, TEMPORAL_TASK_QUEUE: TASK_QUEUE });
    await retryJob({ db, client: env.client, config }, job);
    expect((await env.client.workflow.getHandle(workflowIds.job(jobId)).result()).status).toBe('completed');
    expect((await getJob(db, jobId))?.status).toBe('completed');
  });
});
