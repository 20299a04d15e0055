import { artifactFileName } from '@bolt/data';
import { describe, expect, it } from 'vitest';

describe('artifactFileName', () => {
  it('names a download by kind, variation after the first, language and type', () => {
    const name = (a: Partial<Parameters<typeof artifactFileName>[0]>) =>
      artifactFileName({ kind: 'audio', language: null, content_type: 'audio/mpeg', variation: 1, ...a });
    expect(name({ language: 'en-US' })).toBe('narration.en-US.mp3');
    expect(name({ kind: 'premise', content_type: 'text/plain; charset=utf-8', variation: 0 })).toBe(
      'premise.txt',
    );
    expect(name({ kind: 'subtitles', language: 'pt-BR', content_type: 'text/vtt', variation: 2 })).toBe(
      'narration.v2.pt-BR.vtt',
    );
    expect(name({ kind: 'script', language: 'es-ES', content_type: 'text/markdown; charset=utf-8' })).toBe(
      'script.es-ES.md',
    );
    expect(name({ content_type: 'application/octet-stream', language: 'en-US' })).toBe('narration.en-US.bin');
  });
});
