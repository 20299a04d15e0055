import type { ArtifactRow } from './db/index.ts';

const extension: Array<[contentType: string, ext: string]> = [
  ['audio/mpeg', 'mp3'],
  ['audio/wav', 'wav'],
  ['application/json', 'json'],
  ['text/markdown', 'md'],
  ['text/plain', 'txt'],
  ['application/x-subrip', 'srt'],
  ['text/vtt', 'vtt'],
];

/**
 * The file name an artifact downloads as: premise.txt, script.pt-BR.md, narration.en-US.mp3,
 * narration.en-US.srt…; variations after the first are named in: script.v2.pt-BR.md.
 */
export function artifactFileName(
  a: Pick<ArtifactRow, 'kind' | 'language' | 'content_type' | 'variation'>,
): string {
  const ext = extension.find(([type]) => a.content_type.startsWith(type))?.[1] ?? 'bin';
  const base = a.kind === 'audio' || a.kind === 'subtitles' ? 'narration' : a.kind;
  return [base, a.variation > 1 ? `v${a.variation}` : '', a.language ?? '', ext].filter(Boolean).join('.');
}
