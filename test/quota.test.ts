import { randomUUID } from 'node:crypto';
import {
  type Agent,
  estimateJob,
  jobAgentSchema,
  nextQuotaDay,
  priceTable,
  type Step,
  workflowIds,
} from '@bolt/core';
import { createCredential, type Db, getJob, listCredentials, setCredentialLimits } from '@bolt/data';
import { admission, type JobServices, jobProgress, startJob, wakeQuotaWaiters } from '@bolt/jobs';
import proto from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProviders } from './fakes/providers.ts';
import { type DevWorker, startDevWorker } from './support/temporal.ts';

const { EventType } = proto.temporal.api.enums.v1;
const TASK_QUEUE = 'bolt-quota';
/** The server's own keys: every user without keys of their own shares them. */
const SERVER_KEYS = { GEMINI_API_KEY: 'valid-server-gemini', GOOGLE_TTS_API_KEY: 'valid-server-tts' };
/** Two requests a second per server key: quota, not the fakes, is what holds jobs back. */
const RATE_LIMITS = 'gemini=120,google-tts=120,openai=120';

const agent: Agent = jobAgentSchema.parse({
  name: 'Quota Stories',
  language: 'pt-BR',
  premise_prompt: 'Escreva a premissa da história em duas frases.',
  block_structure_prompt: '2 blocos de ~30 palavras: gancho, desfecho',
  target_languages: [],
  default_voices: { 'pt-BR': 'pt-BR-Neural2-A' },
  llm_provider: 'gemini',
  llm_model: 'gemini-2.5-flash',
  tts_provider: 'google',
});

describe('quota-aware scheduling on the dev server (fake Gemini and Google Cloud TTS)', () => {
  let dev: DevWorker;
  let env: TestWorkflowEnvironment;
  let fake: FakeProviders;
  let db: Db;
  let services: JobServices;
  let credentialsKey: Buffer;

  beforeAll(async () => {
    dev = await startDevWorker({
      taskQueue: TASK_QUEUE,
      vars: { ...SERVER_KEYS, BOLT_RATE_LIMITS: RATE_LIMITS, TEMPORAL_TASK_QUEUE: TASK_QUEUE },
    });
    ({ env, fake, db, credentialsKey } = dev);
    services = { db, client: env.client, config: dev.config };
  });
  afterAll(() => dev?.stop());

  /** A user, with keys of their own when given (with their own limits), else on the server's keys. */
  async function newUser(
    keys: Array<{ provider: 'gemini' | 'google-tts'; secret: string; rpm?: number; rpd?: number }> = [],
  ) {
    const [user] = await db('users')
      .insert({ email: `${randomUUID()}@example.test` })
      .returning('id');
    for (const k of keys)
      await createCredential(db, credentialsKey, {
        userId: user.id,
        provider: k.provider,
        label: k.provider,
        secret: k.secret,
        limits: { ...(k.rpm ? { rpm: k.rpm } : {}), ...(k.rpd ? { rpd: k.rpd } : {}) },
      });
    return user.id as string;
  }

  const run = (ownerId: string, title: string, batch = false, variations = 1) =>
    startJob(services, { ownerId, agent, title, batch, variations, languages: ['pt-BR'] });
  const finished = async (jobId: string) => {
    await env.client.workflow.getHandle(workflowIds.job(jobId)).result();
    return Date.now();
  };
  /** Every event of a job's workflow and its narrations' (their ids start with the job's). */
  async function events(jobId: string) {
    const all = [];
    for await (const w of env.client.workflow.list({ query: `WorkflowId STARTS_WITH "${jobId}"` }))
      all.push(...((await env.client.workflow.getHandle(w.workflowId).fetchHistory()).events ?? []));
    return all;
  }
  /** Polls the job's progress until a step matches, within `ms`. */
  async function stepWhere(jobId: string, match: (s: Step) => boolean, ms = 60_000) {
    for (const until = Date.now() + ms; Date.now() < until; ) {
      const step = (await jobProgress(services, jobId))?.steps.find(match);
      if (step) return step;
      await new Promise((r) => setTimeout(r, 150));
    }
    return undefined;
  }

  it('shows a step waiting for quota with its key and next slot, and never fails an attempt for it', async () => {
    const tts = `valid-tts-${randomUUID().slice(0, 8)}`;
    const ownerId = await newUser([
      { provider: 'gemini', secret: `valid-gemini-${randomUUID()}` },
      { provider: 'google-tts', secret: tts, rpm: 20 }, // one speech request every 3 s
    ]);
    const jobId = await run(ownerId, 'A fila', false, 2);
    const waiting = await stepWhere(
      jobId,
      (s) => s.state === 'running' && s.quota?.provider === 'google-tts',
    );
    expect(waiting?.quota).toMatchObject({ provider: 'google-tts', key: `…${tts.slice(-4)}` });
    expect(['pace', 'queue']).toContain(waiting?.quota?.reason);
    const inMs = Date.parse(waiting?.quota?.nextAt ?? '') - Date.now();
    expect(inMs).toBeGreaterThan(-1000);
    expect(inMs).toBeLessThan(7_000);
    expect(JSON.stringify(waiting)).not.toContain(tts);

    await finished(jobId);
    expect((await getJob(db, jobId))?.status).toBe('completed');
    const steps = (await jobProgress(services, jobId))?.steps ?? [];
    expect(steps.filter((s) => (s.attempt ?? 1) > 1 || s.quota)).toEqual([]);
    const history = await events(jobId);
    expect(history.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED)).toEqual([]);
    // The key kept its pace: its requests reached the provider about 3 s apart on average (an arrival
    // lags its turn by how long the request took to leave, hence the looser bound on each gap).
    const sent = fake.requests.filter((r) => r.key === tts && r.paid).map((r) => r.at);
    expect(sent.length).toBeGreaterThanOrEqual(4);
    const gaps = sent.slice(1).map((at, i) => at - (sent[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThan(2_000);
    expect((sent.at(-1) as number) - (sent[0] as number)).toBeGreaterThanOrEqual(2_700 * gaps.length);
  });

  it('runs a single job ahead of another user’s batch on the same keys', async () => {
    const [batchUser, soloUser] = [await newUser(), await newUser()];
    const batch = [];
    for (const title of ['Lote um', 'Lote dois', 'Lote três']) batch.push(await run(batchUser, title, true));
    await new Promise((r) => setTimeout(r, 1_000));
    const started = Date.now();
    const solo = await run(soloUser, 'Sozinho');
    const [soloDone, ...batchDone] = await Promise.all([solo, ...batch].map(finished));
    const soloMs = (soloDone as number) - started;
    // The single job went first although the batch had queued before it.
    for (const done of batchDone) expect(soloDone).toBeLessThan(done);
    const batchMs = Math.max(...batchDone) - started;
    console.info(`quota: single job ${soloMs} ms beside a batch that ended ${batchMs} ms after it started`);
  });

  it('waits for the next quota day on a timer once a key’s day is spent, says so before it starts, and goes on when the limit is raised', async () => {
    const ownerId = await newUser([
      { provider: 'gemini', secret: `valid-gemini-${randomUUID()}`, rpd: 3 },
      { provider: 'google-tts', secret: `valid-tts-${randomUUID()}` },
    ]);
    const estimate = estimateJob(
      agent,
      { languages: ['pt-BR'], variations: 1 },
      priceTable(),
      'gemini-2.5-flash',
    );
    const before = await admission(services, ownerId, agent, estimate, 1, false);
    expect(before.fits_today).toBe(false);
    expect(before.warnings.join(' ')).toMatch(/Gemini: about \d+ requests needed, 3 left today/);
    expect(before.finish_at.getTime()).toBeGreaterThan(nextQuotaDay(Date.now()));

    const jobId = await run(ownerId, 'Amanhã');
    const waiting = await stepWhere(jobId, (s) => s.quota?.reason === 'day');
    expect(waiting).toMatchObject({ state: 'running', quota: { provider: 'gemini', reason: 'day' } });
    expect(Date.parse(waiting?.quota?.nextAt ?? '')).toBe(nextQuotaDay(Date.now()));
    // One activity ended with the wait (not an error, not retried): the workflow holds a timer. (The
    // step shows the wait from the queue a moment before the workflow has started its timer.)
    let history = await events(jobId);
    const timerStarted = () => history.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
    for (
      const until = Date.now() + 30_000;
      !timerStarted() && Date.now() < until;
      history = await events(jobId)
    )
      await new Promise((r) => setTimeout(r, 150));
    expect(timerStarted()).toBe(true);
    const failed = history.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type).toBe(
      'QuotaWait',
    );

    // The user raises the key's daily limit: the waiting step looks again at once, and the job ends.
    const [key] = await listCredentials(db, ownerId, 'gemini');
    await setCredentialLimits(db, ownerId, key?.id ?? '', { rpd: 100 });
    await wakeQuotaWaiters(services, ownerId);
    await finished(jobId);
    expect((await getJob(db, jobId))?.status).toBe('completed');
    const failures = (await events(jobId)).filter(
      (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
    );
    expect(failures).toHaveLength(1);
  });
});
