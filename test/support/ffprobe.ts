import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

/** ffprobe, shipped in an npm package: the tests' own reader of what ffmpeg wrote. */
export const ffprobe = (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string })
  .path;

/** A media file's duration in seconds, as ffprobe reads it. */
export function probeSeconds(file: string): number {
  const out = execFileSync(ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    file,
  ]);
  return Number.parseFloat(out.toString());
}
