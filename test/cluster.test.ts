import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type Cluster, freePorts, type Service, startCluster } from '@bolt/cli/cluster';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalBinary } from '../scripts/toolchain.mjs';
import { type FakeProviders, startFakeProviders } from './fakes/providers.ts';
import { signUp } from './support/api.ts';
import { bolt, boltEnv } from './support/bolt.ts';
import { releaseWith } from './support/cluster.ts';
import { repoRoot, tempDir } from './support/env.ts';

const run = promisify(execFile);
const { EventType } = proto.temporal.api.enums.v1;
const STARTED = proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** An agent on the (fake) cloud providers: Gemini writes, Google Cloud TTS speaks three languages. */
const cloudAgent = {
  name: 'Cluster Stories',
  language: 'pt-BR',
  premise_prompt: 'Escreva a premissa da história em duas frases.',
  block_structure_prompt: '3 blocos de ~40 palavras: gancho, conflito, desfecho',
  target_languages: ['en-US', 'es-ES'],
  default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C', 'es-ES': 'es-ES-Neural2-A' },
  llm_provider: 'gemini',
  tts_provider: 'google',
};

// The production topology: Temporal server on PostgreSQL, MinIO, an API-only process and two workers,
// each its own process with its own data directory, the providers faked on loopback.
describe('the cluster', () => {
  let cluster: Cluster;
  let fake: FakeProviders;
  let user: Awaited<ReturnType<typeof signUp>>;
  let agentId: string;
  let temporal: Client;

  beforeAll(async () => {
    fake = await startFakeProviders({ latencyMs: 250 });
    cluster = await startCluster({
      dataDir: tempDir('cluster'),
      ports: await freePorts(2),
      restartOnExit: true,
      env: {
        ...fake.env,
        GEMINI_API_KEY: 'valid-gemini-cluster',
        GOOGLE_TTS_API_KEY: 'valid-tts-cluster',
        // One server-wide key per provider: paced as many keys would be, so pacing is not what is tested.
        BOLT_RATE_LIMITS: 'gemini=6000,google-tts=6000,openai=6000',
        // No retakes: a retake asks for the same speech again on purpose, and every repeated request
        // here must be a payment made twice.
        BOLT_MAX_WER: '1',
        BOLT_LOG_LEVEL: 'info',
      },
    });
    user = await signUp(cluster.urls.api, `cluster-${Date.now()}@example.com`);
    const agent = await user.api('POST', '/api/agents', cloudAgent);
    expect(agent.status, agent.text).toBe(201);
    agentId = agent.json.id;
    temporal = new Client({ connection: await Connection.connect({ address: cluster.temporalAddress }) });
  }, 300_000);

  afterAll(async () => {
    await temporal?.connection.close();
    await cluster?.stop();
    await fake?.close();
  });

  const startJob = async (title: string, variations = 1) => {
    const res = await user.api('POST', '/api/jobs', { agent_id: agentId, title, variations });
    expect(res.status, res.text).toBe(201);
    return res.json.id as string;
  };

  /** The job as the API shows it once it has ended. */
  const finished = async (jobId: string, timeoutMs = 300_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await user.api('GET', `/api/jobs/${jobId}`).catch(() => undefined);
      if (res?.status === 200 && ['completed', 'failed', 'cancelled'].includes(res.json.status))
        return res.json;
      if (Date.now() > deadline) throw new Error(`job ${jobId} did not end in time`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  /**
   * Paid calls the providers answered in full, with content, more than once (the same request body):
   * what Bolt must never pay for twice. A blocked answer has nothing to keep and is not counted.
   */
  const repeatedPaidCalls = () => {
    const seen = new Set<string>();
    return fake.requests
      .filter((r) => r.completed && !r.fault)
      .filter((r) => seen.has(r.bodyHash) || !seen.add(r.bodyHash))
      .map((r) => {
        const first = fake.requests.find((f) => f.bodyHash === r.bodyHash);
        return `${r.api} ${r.path} at ${new Date(r.at).toISOString()}, ${r.at - (first?.at ?? r.at)} ms after the first: ${r.excerpt}`;
      });
  };

  /** Waits until `n` more paid calls than now have been answered in full. */
  const afterCalls = async (n: number) => {
    const target = fake.requests.filter((r) => r.completed).length + n;
    const deadline = Date.now() + 120_000;
    while (fake.requests.filter((r) => r.completed).length < target && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
  };

  it('runs a 3×3 job with every file in MinIO and none on the processes’ disks', async () => {
    const jobId = await startJob('A ponte de Alcântara', 3);
    const job = await finished(jobId);
    expect(job.status, job.error).toBe('completed');

    const artifacts = (await user.api('GET', `/api/jobs/${jobId}/artifacts`)).json.items as Array<{
      kind: string;
      size: number;
      sha256: string;
      url: string;
    }>;
    expect(artifacts.filter((a) => a.kind === 'audio')).toHaveLength(9);
    const { s3Endpoint, s3AccessKeyId, s3SecretAccessKey } = cluster.servers;
    const s3 = new S3Client({
      endpoint: s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3AccessKeyId, secretAccessKey: s3SecretAccessKey },
    });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'bolt', Prefix: `jobs/${jobId}/` }));
    const sizes = (listed.Contents ?? []).map((o) => o.Size);
    for (const a of artifacts) {
      expect(sizes).toContain(a.size);
      const download = await fetch(`${cluster.urls.api}${a.url}`, {
        headers: { authorization: `Bearer ${user.tokens.access_token}` },
      });
      expect(sha256(Buffer.from(await download.arrayBuffer())), a.url).toBe(a.sha256);
    }
    // The job page's Temporal link opens the job in the cluster's Web UI (its API answers for that page).
    const link = new URL(job.temporal_ui_url);
    expect(link.origin).toBe(cluster.urls.temporalUi);
    expect((await fetch(link)).status).toBe(200);
    const described = await fetch(`${link.origin}/api/v1${link.pathname}`);
    expect(described.status).toBe(200);
    expect(
      ((await described.json()) as { workflowExecutionInfo: { status: string } }).workflowExecutionInfo
        .status,
    ).toBe('WORKFLOW_EXECUTION_STATUS_COMPLETED');
    for (const name of ['api', 'worker-1', 'worker-2'])
      expect(fs.existsSync(path.join(cluster.dataDir, name, 'files', 'jobs', jobId)), name).toBe(false);
    expect(repeatedPaidCalls()).toEqual([]);
  }, 600_000);

  it('finishes a job when the worker running a step is killed: started again, it retries that step at once', async () => {
    // Slow providers, so a speech step is still running when the test looks for one.
    fake.setLatency(3_000);
    const jobId = await startJob('O farol de Aveiro');
    // A paid step in flight on one of the two workers.
    let found: { worker: number; workflowId: string; activityId: string } | undefined;
    const deadline = Date.now() + 120_000;
    while (!found && Date.now() < deadline) {
      for await (const wf of temporal.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
        if (!wf.workflowId.startsWith(jobId)) continue;
        const described = await temporal.workflow.getHandle(wf.workflowId).describe();
        for (const step of described.raw.pendingActivities ?? []) {
          const pid = Number((step.lastWorkerIdentity ?? '').split('@')[0]);
          const worker = cluster.workers.findIndex((w) => w.pid === pid);
          const activityId = step.activityId ?? '';
          if (step.state === STARTED && worker >= 0 && /\.tts-\d+$/.test(activityId))
            found = { worker, workflowId: wf.workflowId, activityId };
        }
      }
      if (!found) await new Promise((r) => setTimeout(r, 200));
    }
    if (!found) throw new Error('no speech step was seen running');
    const killed = cluster.workers[found.worker] as Service;
    const killedAt = Date.now();
    await killed.kill('SIGKILL');
    fake.setLatency(250);

    const job = await finished(jobId);
    expect(job.status, job.error).toBe('completed');
    // The worker started again (as a restart policy would) found the step its predecessor had left
    // running and failed it, so Temporal ran it again without waiting for its heartbeat timeout.
    const lost = new RegExp(
      `"event":"step\\.lost"[^\\n]*"activityId":"${found.activityId.replaceAll('.', '\\.')}"`,
    );
    expect(fs.readFileSync(killed.spec.logFile, 'utf8')).toMatch(lost);
    const history = await temporal.workflow.getHandle(found.workflowId).fetchHistory();
    const scheduled = history.events?.find(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
        e.activityTaskScheduledEventAttributes?.activityId === found?.activityId,
    );
    const started = history.events?.find(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
        Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled?.eventId),
    );
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBeGreaterThan(1);
    const retriedAfterMs = Number(started?.eventTime?.seconds) * 1000 - killedAt;
    console.info(
      `cluster: a step lost with its worker was retried ${(retriedAfterMs / 1000).toFixed(1)} s later`,
    );
    expect(repeatedPaidCalls()).toEqual([]);
  }, 600_000);
  /** /readyz as the API answers it: status and body. */
  const readyz = async () => {
    const res = await fetch(`${cluster.urls.api}/readyz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const untilReady = async () => {
    const deadline = Date.now() + 120_000;
    while ((await readyz()).status !== 200) {
      if (Date.now() > deadline) throw new Error('the API did not become ready again');
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  it('finishes a job through restarts of Temporal, PostgreSQL and MinIO, saying 503 on /readyz while one is down', async () => {
    // Slower providers, so the job is still running through the three outages.
    fake.setLatency(1_500);
    const jobId = await startJob('A praia do Cassino', 2);
    const outages: Array<
      [name: string, part: { stop(): Promise<void>; start(): Promise<void> }, field: string]
    > = [
      ['temporal', cluster.temporal, 'temporal'],
      ['postgresql', cluster.postgres, 'database'],
      ['minio', cluster.minio, 'storage'],
    ];
    for (const [name, part, field] of outages) {
      await afterCalls(4);
      await part.stop();
      const down = await readyz();
      expect(down.status, name).toBe(503);
      expect(JSON.stringify(down.body), name).toContain(`"${field}":"unreachable"`);
      await new Promise((r) => setTimeout(r, 3_000));
      await part.start();
      await untilReady();
    }
    fake.setLatency(250);
    const job = await finished(jobId);
    expect(job.status, job.error).toBe('completed');
    expect(repeatedPaidCalls()).toEqual([]);
  }, 900_000);

  it('rolls both workers onto new workflow code behind patched() while jobs run; every history replays', async () => {
    // The new release: the job workflow waits a second at its start, behind a patch.
    const release = releaseWith({
      'workflows/src/job.ts': (source) =>
        `import { sleep } from '@temporalio/workflow';\n${source.replace(
          "  const checks = patched('quality-checks');",
          "  const checks = patched('quality-checks');\n  if (patched('cluster-upgrade')) await sleep('1 second');",
        )}`,
    });
    const before = [await startJob('O moinho'), await startJob('A serra da Estrela')];
    await afterCalls(3);
    for (const [i, old] of cluster.workers.entries()) {
      await old.stop(); // drains: its running steps finish first
      const next = cluster.worker(`worker-${i + 1}-next`, cluster.ports.workerMetrics[i] as number, {
        release,
      });
      await next.start();
      cluster.workers[i] = next;
    }
    const after = await startJob('O castelo de Guimarães');
    for (const jobId of [...before, after]) expect((await finished(jobId)).status, jobId).toBe('completed');

    const histories = await Promise.all(
      [...before, after].map(async (workflowId) => ({
        workflowId,
        history: await temporal.workflow.getHandle(workflowId).fetchHistory(),
      })),
    );
    // A patch marker's payload names the patch: {"patchId":"cluster-upgrade",…}.
    const hasMarker = (h: (typeof histories)[number]) =>
      (h.history.events ?? []).some((e) =>
        Object.values(e.markerRecordedEventAttributes?.details ?? {}).some((p) =>
          p.payloads?.some((payload) =>
            Buffer.from(payload.data ?? [])
              .toString()
              .includes('cluster-upgrade'),
          ),
        ),
      );
    expect(histories.map(hasMarker)).toEqual([false, false, true]);
    const replay = async (root: string, list: typeof histories) => {
      const results = Worker.runReplayHistories(
        { workflowsPath: path.join(root, 'workflows/src/index.ts') },
        list.map(({ workflowId, history }) => ({ workflowId, history })),
      );
      const errors: string[] = [];
      for await (const r of results) if (r.error) errors.push(`${r.workflowId}: ${r.error.message}`);
      return errors;
    };
    expect(await replay(release, histories)).toEqual([]);
    expect(await replay(repoRoot, histories.slice(0, 2))).toEqual([]);
    // The change is real: the old code cannot replay a job the new code ran.
    expect(await replay(repoRoot, histories.slice(2))).toHaveLength(1);
    expect(repeatedPaidCalls()).toEqual([]);
  }, 900_000);

  it('finishes a failed job after `temporal workflow reset` to before the failed step', async () => {
    // The second block is refused as blocked content: the job fails there, after the premise and block 1.
    fake.inject({ api: 'gemini', kind: 'safety', matching: 'Write block 2 (', times: 1000 });
    const jobId = await startJob('O elevador de Santa Justa');
    const failed = await finished(jobId);
    fake.clearFaults();
    expect(failed.status).toBe('failed');

    const history = await temporal.workflow.getHandle(jobId).fetchHistory();
    const events = history.events ?? [];
    const failedStep = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
    const scheduledId = Number(failedStep?.activityTaskFailedEventAttributes?.scheduledEventId);
    // The workflow task that scheduled the failed step: reset to it and the step runs again.
    const resetTo = events
      .filter(
        (e) =>
          e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && Number(e.eventId) < scheduledId,
      )
      .at(-1);
    const cli = temporalBinary() as string;
    // biome-ignore format: one flag and its value per line
    await run(cli, [
      'workflow', 'reset',
      '--address', cluster.temporalAddress,
      '--workflow-id', jobId,
      '--event-id', String(resetTo?.eventId),
      '--reason', 'blocked content cleared',
    ]);
    // The reset run goes on from the failed step (the job row says "failed" until it finishes).
    await temporal.workflow.getHandle(jobId).result();
    const job = await finished(jobId);
    expect(job.status, job.error).toBe('completed');
    expect(job.steps.find((s: { id: string }) => s.id === 'master.block-2')?.state).toBe('completed');
    expect(repeatedPaidCalls()).toEqual([]);
    const listed = (await user.api('GET', '/api/jobs?status=completed')).json.items.map(
      (j: { id: string }) => j.id,
    );
    expect(listed).toContain(jobId);
  }, 600_000);
});

/** Whether something listens on the loopback port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });

// What `npm run cluster` runs, as a user would: in a terminal's process group, stopped with Ctrl-C.
describe('bolt cluster', () => {
  it('starts the topology, says where everything is, and stops it all on Ctrl-C', async () => {
    const env: NodeJS.ProcessEnv = { ...(await boltEnv()), BOLT_LOG_LEVEL: 'warn' };
    const cluster = bolt(['cluster'], env, { ownGroup: true });
    try {
      await cluster.waitFor(/The Bolt cluster is running\./, 300_000);
      for (const line of ['Temporal Web UI', 'MinIO', 'PostgreSQL', 'worker-1', 'worker-2', 'Logs'])
        expect(cluster.output()).toContain(line);
      expect((await fetch(`http://127.0.0.1:${env.PORT}/readyz`)).status).toBe(200);
      process.kill(-(cluster.child.pid as number), 'SIGINT');
      expect(await cluster.exited).toBe(0);
      expect(cluster.output()).toMatch(/stopping worker-2[\s\S]*stopping api[\s\S]*stopping postgresql/);
      // Nothing is left listening: the API's port and Temporal's are free again.
      for (const port of [Number(env.PORT), 7233]) expect(await listening(port), String(port)).toBe(false);
    } finally {
      cluster.child.kill('SIGKILL');
    }
  }, 600_000);
});
