import { describe, expect, it } from 'vitest';
import { quotaText } from '../../web/src/lib/quota-text.ts';

describe('a step waiting for quota, in the UI language', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  const at = (ms: number) => new Date(now + ms).toISOString();

  it('names the key and when its slot comes', () => {
    expect(
      quotaText({ provider: 'gemini', key: '…1234', reason: 'pace', nextAt: at(11_400) }, now, 'en'),
    ).toBe('waiting for quota (Gemini key …1234, next slot in 12.0 s)');
    expect(
      quotaText({ provider: 'google-tts', key: 'server', reason: 'queue', nextAt: at(3_000) }, now, 'en'),
    ).toBe(
      'waiting for quota (Google Cloud Text-to-Speech server key: behind other requests, next slot in 3.0 s)',
    );
  });

  it('says a spent day with the time it ends, in Portuguese too', () => {
    const text = quotaText(
      { provider: 'gemini', key: '…9f2a', reason: 'day', nextAt: at(20 * 3_600_000) },
      now,
      'pt-BR',
    );
    expect(text).toMatch(
      /^aguardando cota \(chave Gemini …9f2a: os pedidos de hoje acabaram, próxima vaga em .*2026.*\)$/,
    );
  });
});
