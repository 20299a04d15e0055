import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  createActivities,
  createCredential,
  type Db,
  getJob,
  insertJob,
  jobUsage,
  listArtifacts,
} from '@bolt/activities';
import {
  type Agent,
  agentSchema,
  type JobProgress,
  type JobWorkflowInput,
  loadConfig,
  serverSecrets,
  storageKeys,
  workflowIds,
} from '@bolt/core';
import { editBlockSignal, type jobWorkflow, narrationWorkflow } from '@bolt/workflows';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, startFakeProviders } from './fakes/providers.ts';
import { realDeps, repoRoot } from './support/env.ts';
import { temporalCli, workflowBundle } from './support/temporal.ts';

const TASK_QUEUE = 'bolt-pipeline';
const fixturesDir = path.join(repoRoot, 'test/fixtures/histories');
/** Requests per minute per key: one Gemini request per 100 ms, one TTS request per 50 ms. */
const RATE_LIMITS = 'gemini=600,google-tts=1200,openai=600';

const agent: Agent = agentSchema.parse({
  name: 'Pipeline Stories',
  idioma: 'pt-BR',
  premise_prompt: 'Escreva a premissa da história em duas frases.',
  persona_and_global_rules_prompt: 'Você é um narrador.',
  block_structure_prompt: '3 blocos de ~40 palavras: gancho, conflito, desfecho',
  cultural_adaptation_prompt: 'Adapte para o público do idioma de destino.',
  idiomas_alvo: ['en-US', 'es-ES'],
  default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C', 'es-ES': 'es-ES-Wavenet-B' },
  llm_provider: 'gemini',
  llm_model: 'gemini-2.5-pro',
  llm_fallback_model: 'gemini-2.5-flash',
  tts_provider: 'google',
});
const LANGUAGES = ['pt-BR', 'en-US', 'es-ES'];

describe('the full pipeline against fake Gemini and Google Cloud TTS (real Temporal, ffmpeg, PostgreSQL)', () => {
  let env: TestWorkflowEnvironment;
  let fake: FakeProviders;
  let db: Db;
  let filesDir: string;
  let worker: Worker;
  let running: Promise<void>;
  let credentialsKey: Buffer;
  let ffprobe: string;
  let ffmpeg: string;

  beforeAll(async () => {
    fake = await startFakeProviders();
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCli() },
        extraArgs: ['--log-level', 'error'],
      },
    });
    const real = await realDeps({
      ...fake.env,
      BOLT_RATE_LIMITS: RATE_LIMITS,
      BOLT_LOCAL_MAX_TOKENS: '1024',
    });
    ({ db, filesDir } = real);
    ({ ffprobe, ffmpeg } = real.deps.audio);
    credentialsKey = serverSecrets(loadConfig({ BOLT_DATA_DIR: filesDir })).credentialsKey;
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: createActivities(real.deps),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await db?.destroy();
    await fake?.close();
  });

  /** A user with the given keys (stored encrypted, like the API does). */
  async function newUser(keys: { gemini: string[]; tts: string[] }): Promise<string> {
    const [user] = await db('users')
      .insert({ email: `${crypto.randomUUID()}@example.test` })
      .returning('id');
    for (const [provider, secrets] of [
      ['gemini', keys.gemini],
      ['google-tts', keys.tts],
    ] as const)
      for (const secret of secrets)
        await createCredential(db, credentialsKey, { userId: user.id, provider, label: provider, secret });
    return user.id;
  }

  async function startJob(
    ownerId: string,
    opts: { variations?: number; languages?: string[]; title?: string } = {},
  ) {
    const jobId = crypto.randomUUID();
    const input: JobWorkflowInput = {
      jobId,
      source: agent.idioma,
      languages: opts.languages ?? LANGUAGES,
      variations: opts.variations ?? 1,
    };
    await insertJob(db, {
      id: jobId,
      owner_id: ownerId,
      agent_id: null,
      agent_snapshot: agent,
      titulo: opts.title ?? 'A ponte de Alcântara',
      num_variacoes: input.variations,
      languages: input.languages,
      workflow_id: jobId,
    });
    const handle = await env.client.workflow.start<typeof jobWorkflow>('jobWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: workflowIds.job(jobId),
      args: [input],
    });
    return { jobId, input, handle };
  }

  const completedPaid = () => fake.requests.filter((r) => r.completed);
  const file = (key: string) => path.join(filesDir, key);
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
    expect([count('audio'), count('subtitles'), count('script'), count('premise')]).toEqual([9, 18, 9, 1]);

    for (const v of job?.result?.variations ?? []) {
      for (const language of LANGUAGES) {
        const mp3 = v.audio[language] as string;
        expect(mp3).toBe(storageKeys.audio(jobId, v.variation, language));
        const info = probe(mp3);
        expect(info.format.format_name).toBe('mp3');
        expect(info.chapters.map((c: { tags: { title: string } }) => c.tags.title)).toEqual([
          'Gancho',
          'Conflito',
          'Desfecho',
        ]);
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
    // Variations differ from the master; languages differ from each other.
    const scripts = (job?.result?.variations ?? []).map((v) =>
      fs.readFileSync(file(v.scripts['pt-BR'] as string), 'utf8'),
    );
    expect(new Set(scripts).size).toBe(3);

    // Loudness of one narration, measured by ffmpeg's EBU R128 meter.
    const meter = spawnSync(
      ffmpeg,
      [
        '-hide_banner',
        '-nostats',
        '-i',
        file(job?.result?.audio['en-US'] as string),
        '-af',
        'ebur128',
        '-f',
        'null',
        '-',
      ],
      { encoding: 'utf8' },
    ).stderr;
    const integrated = Number(/I:\s+(-?[\d.]+) LUFS/.exec(meter.split('Summary:')[1] ?? '')?.[1]);
    expect(integrated).toBeGreaterThan(-17.5);
    expect(integrated).toBeLessThan(-14.5);

    // The seed's counters come from the usage ledger and the measured audio.
    const usage = await jobUsage(db, jobId);
    expect(usage.paidCalls).toBeGreaterThan(20);
    expect(job?.chars_processados_tts).toBe(usage.ttsChars);
    expect(job?.duracao_total_segundos).toBeGreaterThan(9);

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
});
