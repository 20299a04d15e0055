import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { instructions } from '@bolt/activities';
import type { StackInfo } from '@bolt/cli';
import { describe, expect, it } from 'vitest';
import { bolt, boltEnv, completedCalls } from './support/bolt.ts';
import { repoRoot, tempDir } from './support/env.ts';
import { ffprobe } from './support/ffprobe.ts';

describe('bolt run on the embedded stack', () => {
  it('runs the example agent from a title to a script and a playable MP3 per language', async () => {
    const env = await boltEnv();
    const out = tempDir('out');
    const run = bolt(
      [
        'run',
        '--agent',
        'Histórias que Marcam',
        '--title',
        'A ponte de Alcântara',
        '--languages',
        'pt-BR,en-US',
        '--out',
        out,
        '--json',
      ],
      env,
    );
    const code = await run.exited;
    expect(code, run.output().slice(-3000)).toBe(0);
    const result = JSON.parse(run.output().slice(run.output().indexOf('{\n  "jobId"')));
    expect(result.status).toBe('completed');
    expect(fs.readdirSync(out).sort()).toEqual([
      'chapters.en-US.vtt',
      'chapters.pt-BR.vtt',
      'narration.en-US.mp3',
      'narration.en-US.srt',
      'narration.en-US.vtt',
      'narration.pt-BR.mp3',
      'narration.pt-BR.srt',
      'narration.pt-BR.vtt',
      'premise.txt',
      'quality.en-US.json',
      'quality.pt-BR.json',
      'script.en-US.md',
      'script.pt-BR.md',
    ]);
    for (const language of ['pt-BR', 'en-US']) {
      const script = fs.readFileSync(path.join(out, `script.${language}.md`), 'utf8');
      expect(script).toMatch(/^# A ponte de Alcântara\n/);
      expect(script.match(/^## /gm)).toHaveLength(3);
      // Only the text: no instruction of ours, no Markdown beyond the headings, no brackets or emoji.
      for (const instruction of Object.values(instructions)) expect(script).not.toContain(instruction);
      expect(script.replace(/^#{1,2} .*$/gm, '')).not.toMatch(/[#*_`[\]]|\p{Extended_Pictographic}/u);
      const probe = JSON.parse(
        execFileSync(ffprobe, [
          '-v',
          'error',
          '-show_entries',
          'stream=codec_name:format=duration',
          '-of',
          'json',
          path.join(out, `narration.${language}.mp3`),
        ]).toString(),
      );
      expect(probe.streams.map((s: { codec_name: string }) => s.codec_name)).toEqual(['mp3']);
      expect(Number(probe.format.duration)).toBeGreaterThan(0);
    }
    // The embedded servers it started are gone.
    expect(fs.existsSync(path.join(env.BOLT_DATA_DIR as string, 'temporal.pid'))).toBe(false);
    expect(fs.existsSync(path.join(env.BOLT_DATA_DIR as string, 'pg', 'postmaster.pid'))).toBe(false);
  });

  it('exits non-zero with the reason for an unknown agent', async () => {
    const run = bolt(['run', '--agent', 'Nobody', '--title', 'x'], await boltEnv());
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/No agent named "Nobody"\. Agents: .*"Histórias que Marcam"/);
  });

  it('runs jobs on a separate worker configured by TEMPORAL_ADDRESS and DATABASE_URL', async () => {
    const env = await boltEnv();
    const api = bolt(['start', '--api-only'], env);
    await api.waitFor(/Bolt is running\./);
    const stack = JSON.parse(
      fs.readFileSync(path.join(env.BOLT_DATA_DIR as string, 'stack.json'), 'utf8'),
    ) as StackInfo;
    const worker = bolt(['worker'], {
      ...env,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      DATABASE_URL: stack.databaseUrl,
    });
    try {
      await worker.waitFor(/Worker polling task queue "bolt"/);
      const out = tempDir('out');
      const agent = path.join(repoRoot, 'test/fixtures/agent.json');
      const run = bolt(
        ['run', '--agent', agent, '--title', 'O farol', '--languages', 'en-US', '--out', out],
        env,
      );
      expect(await run.exited, run.output().slice(-2000)).toBe(0);
      // The master script (in the agent's language) comes along with the requested language's files.
      expect(fs.readdirSync(out).sort()).toEqual([
        'chapters.en-US.vtt',
        'narration.en-US.mp3',
        'narration.en-US.srt',
        'narration.en-US.vtt',
        'premise.txt',
        'quality.en-US.json',
        'script.en-US.md',
        'script.pt-BR.md',
      ]);
      expect(completedCalls(worker.output()).length).toBeGreaterThan(3);
      expect(completedCalls(api.output())).toEqual([]);
    } finally {
      worker.child.kill('SIGTERM');
      api.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
    expect(await api.exited).toBe(0);
  });
});
