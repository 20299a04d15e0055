import fs from 'node:fs';
import path from 'node:path';
import { connectDb, getJob } from '@bolt/activities';
import { isAlive, type StackInfo } from '@bolt/cli';
import { afterAll, describe, expect, it } from 'vitest';
import { type BoltProcess, bolt, boltEnv, completedCalls } from './support/bolt.ts';
import { repoRoot } from './support/env.ts';

const RUNNING = /Bolt is running\./;

describe('a killed process loses no work', () => {
  const processes: BoltProcess[] = [];
  afterAll(() => {
    for (const p of processes) p.child.kill('SIGKILL');
  });
  const start = (env: NodeJS.ProcessEnv) => {
    const p = bolt(['start'], env);
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

    // Kill the whole product mid-job: after the premise and some blocks, before the narration.
    await first.waitFor(/"event":"call\.completed"[^\n]*block-02/);
    first.child.kill('SIGKILL');
    run.child.kill('SIGKILL');
    await first.exited;
    const beforeKill = completedCalls(first.output());
    expect(beforeKill.length).toBeGreaterThanOrEqual(3);

    // A second start cleans up what the killed one left running and picks the job up.
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

    const afterRestart = completedCalls(second.output());
    expect(afterRestart.length).toBeGreaterThan(0);
    const all = [...beforeKill, ...afterRestart];
    expect(all.filter((key, i) => all.indexOf(key) !== i)).toEqual([]);
    expect(all).toEqual(expect.arrayContaining([expect.stringMatching(/audio\/en-US\/chunk-001\.wav$/)]));

    // Graceful stop: drains, stops the embedded servers, leaves no process behind.
    const temporalPid = Number(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(isAlive(temporalPid)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'stack.json'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });
});
