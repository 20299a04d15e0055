import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, postmasterPid, type StackInfo } from '@bolt/cli';
import { storageKeys } from '@bolt/core';
import { connectDb, getJob } from '@bolt/data';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeProviders } from './fakes/providers.ts';
import { type BoltProcess, bolt, boltEnv, completedCalls } from './support/bolt.ts';
import { repoRoot, tempDir } from './support/env.ts';

const RUNNING = /Bolt is running\./;

/** The process's exit code, or 'still running' a minute later. */
const exitCode = (p: BoltProcess) => Promise.race([p.exited, sleep(60_000).then(() => 'still running')]);

describe('a killed process loses no work', () => {
  const processes: BoltProcess[] = [];
  afterAll(() => {
    for (const p of processes) p.child.kill('SIGKILL');
  });
  const start = (env: NodeJS.ProcessEnv, options?: { ownGroup: boolean }) => {
    const p = bolt(['start'], env, options);
    processes.push(p);
    return p;
  };

  it('resumes a job after SIGKILL without repeating a completed model or TTS call', async () => {
    const env = await boltEnv();
    const dataDir = env.BOLT_DATA_DIR as string;
    const first = start(env);
    await first.waitFor(RUNNING);

    const agent = path.join(repoRoot, 'test/fixtures/agent.json');
    const run = bolt(
      ['run', '--agent', agent, '--title', 'A ponte de Alcântara', '--out', path.join(dataDir, 'out')],
      env,
    );
    processes.push(run);
    const jobId = (await run.waitFor(/Job ([0-9a-f-]{36}) started/))[1] as string;

    // Kill the whole product mid-job, in the middle of a step: after the premise and the first block,
    // while the second (and last) is being written.
    await first.waitFor(/"event":"call\.started"[^\n]*master\.block-2/);
    first.child.kill('SIGKILL');
    run.child.kill('SIGKILL');
    await first.exited;
    const beforeKill = completedCalls(first.output());
    expect(beforeKill.length).toBeGreaterThanOrEqual(2);

    // A second start cleans up what the killed one left running and picks the job up, retrying the
    // step the killed worker was running at once (not after its heartbeat timeout).
    const second = start(env);
    await second.waitFor(RUNNING);
    const stack = JSON.parse(fs.readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as StackInfo;
    const db = connectDb(stack.databaseUrl);
    try {
      const deadline = Date.now() + 240_000;
      let job = await getJob(db, jobId);
      while (job?.status !== 'completed' && job?.status !== 'failed' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        job = await getJob(db, jobId);
      }
      expect(job?.status, second.output().slice(-2000)).toBe('completed');
    } finally {
      await db.destroy();
    }

    expect(second.output()).toMatch(/"event":"step\.lost"[^\n]*"activityId":"master\.block-2"/);
    const afterRestart = completedCalls(second.output());
    expect(afterRestart.length).toBeGreaterThan(0);
    const all = [...beforeKill, ...afterRestart];
    expect(all.filter((key, i) => all.indexOf(key) !== i)).toEqual([]);
    expect(afterRestart).toEqual(expect.arrayContaining([expect.stringMatching(/\/tts\/.*\.wav$/)]));

    // Graceful stop: drains, stops the embedded servers, leaves no process behind.
    const temporalPid = Number(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(isAlive(temporalPid)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'stack.json'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });

  it('stops in order on Ctrl-C in a terminal and resumes the job on the next start', async () => {
    const fake = await startFakeProviders({ latencyMs: 300 });
    try {
      const env: NodeJS.ProcessEnv = {
        ...(await boltEnv()),
        ...fake.env,
        GEMINI_API_KEY: 'valid-gemini-ctrl-c',
        GOOGLE_TTS_API_KEY: 'valid-tts-ctrl-c',
      };
      const dataDir = env.BOLT_DATA_DIR as string;
      const first = start(env, { ownGroup: true });
      await first.waitFor(RUNNING);
      const pgPid = postmasterPid(dataDir);
      const temporalPid = Number(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
      const agentFile = path.join(tempDir('agent'), 'agent.json');
      fs.writeFileSync(agentFile, JSON.stringify(cloudAgent));
      const run = bolt(['run', '--agent', agentFile, '--title', 'O farol', '--out', tempDir('out')], env);
      processes.push(run);
      const jobId = (await run.waitFor(/Job ([0-9a-f-]{36}) started/))[1] as string;
      await first.waitFor(/"event":"call\.started"[^\n]*master\.block-1/);

      // A terminal sends SIGINT to every process in the foreground group: Bolt alone must get it, and
      // stop the worker while the database it drains into is still up.
      process.kill(-(first.child.pid as number), 'SIGINT');
      expect(await exitCode(first), first.output().slice(-3000)).toBe(0);
      expect(first.output()).not.toMatch(/terminating connection|Connection terminated|ECONNREFUSED/);
      expect([isAlive(pgPid), isAlive(temporalPid)]).toEqual([false, false]);
      run.child.kill('SIGKILL');

      const second = start(env);
      await second.waitFor(RUNNING);
      await waitForJobs(env, [jobId]);

      // A database that died first does not keep Bolt from stopping.
      process.kill(postmasterPid(dataDir), 'SIGKILL');
      second.child.kill('SIGTERM');
      expect(await exitCode(second), second.output().slice(-3000)).toBe(0);
    } finally {
      await fake.close();
    }
  }, 300_000);

  it('finishes several jobs through repeated SIGKILLs with cloud providers: no completed call repeated, same output as an undisturbed run', async () => {
    const fake = await startFakeProviders({ latencyMs: 150 });
    try {
      const agentFile = path.join(tempDir('agent'), 'agent.json');
      fs.writeFileSync(agentFile, JSON.stringify(cloudAgent));
      const titles = ['O farol', 'A ponte'];
      const stackEnv = async (name: string) => ({
        ...(await boltEnv()),
        ...fake.env,
        GEMINI_API_KEY: `valid-gemini-${name}`,
        GOOGLE_TTS_API_KEY: `valid-tts-${name}`,
      });
      const runJobs = async (env: NodeJS.ProcessEnv) =>
        Promise.all(
          titles.map(async (title) => {
            const run = bolt(['run', '--agent', agentFile, '--title', title, '--out', tempDir('out')], env);
            processes.push(run);
            return (await run.waitFor(/Job ([0-9a-f-]{36}) started/))[1] as string;
          }),
        );

      // The undisturbed run.
      const calm = await stackEnv('calm');
      const calmStack = start(calm);
      await calmStack.waitFor(RUNNING);
      const calmJobs = await runJobs(calm);
      await waitForJobs(calm, calmJobs);
      calmStack.child.kill('SIGTERM');
      await calmStack.exited;

      // The same jobs, with the whole product killed twice at random points.
      const storm = await stackEnv('storm');
      let current = start(storm);
      await current.waitFor(RUNNING);
      const stormJobs = await runJobs(storm);
      const logs: string[] = [];
      for (let kill = 0; kill < 2; kill++) {
        // Kill after a random number (2–7) of this process's completed calls, or a minute.
        const after = 2 + Math.floor(Math.random() * 6);
        const until = Date.now() + 60_000;
        while (completedCalls(current.output()).length < after && Date.now() < until)
          await new Promise((r) => setTimeout(r, 100));
        current.child.kill('SIGKILL');
        await current.exited;
        logs.push(current.output());
        current = start(storm);
        await current.waitFor(RUNNING);
      }
      await waitForJobs(storm, stormJobs);
      logs.push(current.output());
      current.child.kill('SIGTERM');
      await current.exited;

      const completed = fake.requests.filter((r) => r.key.endsWith('-storm') && r.completed);
      expect(completed.length).toBeGreaterThan(20);
      expect(completed.length - new Set(completed.map((r) => r.bodyHash)).size).toBe(0);
      const calls = logs.flatMap(completedCalls);
      expect(calls.filter((key, i) => calls.indexOf(key) !== i)).toEqual([]);
      const calmCalls = fake.requests.filter((r) => r.key.endsWith('-calm') && r.completed);
      expect(new Set(completed.map((r) => r.bodyHash))).toEqual(new Set(calmCalls.map((r) => r.bodyHash)));

      const mp3 = (env: NodeJS.ProcessEnv, jobId: string, language: string) =>
        fs.readFileSync(
          path.join(env.BOLT_DATA_DIR as string, 'files', storageKeys.audio(jobId, 1, language)),
        );
      for (const [i, jobId] of stormJobs.entries())
        for (const language of ['pt-BR', 'en-US'])
          expect(
            mp3(storm, jobId, language).equals(mp3(calm, calmJobs[i] as string, language)),
            language,
          ).toBe(true);
    } finally {
      await fake.close();
    }
  }, 600_000);
});

const cloudAgent = {
  name: 'Cloud Stories',
  language: 'pt-BR',
  premise_prompt: 'Escreva a premissa da história em duas frases.',
  block_structure_prompt: '3 blocos de ~40 palavras: gancho, conflito, desfecho',
  target_languages: ['en-US'],
  default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C' },
  llm_provider: 'gemini',
  tts_provider: 'google',
};

/** Waits until every job has ended, reading the stack's database; fails on any status but completed. */
async function waitForJobs(env: NodeJS.ProcessEnv, jobIds: string[]) {
  const stack = JSON.parse(
    fs.readFileSync(path.join(env.BOLT_DATA_DIR as string, 'stack.json'), 'utf8'),
  ) as StackInfo;
  const db = connectDb(stack.databaseUrl);
  try {
    const deadline = Date.now() + 240_000;
    for (const jobId of jobIds) {
      let job = await getJob(db, jobId);
      while (job?.status !== 'completed' && job?.status !== 'failed' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300));
        job = await getJob(db, jobId);
      }
      expect(job?.status, `${jobId}: ${job?.error}`).toBe('completed');
    }
  } finally {
    await db.destroy();
  }
}
