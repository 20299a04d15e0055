import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ffmpegPaths } from '@bolt/activities';
import { describe, expect, it } from 'vitest';
import { bolt, boltEnv } from './support/bolt.ts';
import { tempDir } from './support/env.ts';

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
      'narration.en-US.mp3',
      'narration.pt-BR.mp3',
      'premise.txt',
      'script.en-US.md',
      'script.pt-BR.md',
    ]);
    for (const language of ['pt-BR', 'en-US']) {
      const script = fs.readFileSync(path.join(out, `script.${language}.md`), 'utf8');
      expect(script).toMatch(/^# A ponte de Alcântara\n/);
      expect(script.match(/^## /gm)).toHaveLength(3);
      const probe = JSON.parse(
        execFileSync(ffmpegPaths().ffprobe, [
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
});
