import { quotaWaitText, type StepQuota } from '@bolt/core/quota';
import { describe, expect, it } from 'vitest';
import { formatDate } from '../../web/src/lib/format.ts';
import { ptBR } from '../../web/src/lib/locales/pt-BR.ts';
import { quotaText, quotaTextOptions } from '../../web/src/lib/quota-text.ts';

// One wording for a step waiting for quota: core's `quotaWaitText`. `bolt run` uses its English defaults;
// the web passes its translator and formatters (`quotaText`), so both say the same thing by construction.
describe('a step waiting for quota, in bolt run and in the UI language', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  const at = (ms: number) => new Date(now + ms).toISOString();
  const gemini = (reason: StepQuota['reason'], inMs: number): StepQuota => ({
    provider: 'gemini',
    key: '…1234',
    reason,
    nextAt: at(inMs),
  });
  const tts = (reason: StepQuota['reason'], inMs: number): StepQuota => ({
    provider: 'google-tts',
    key: 'server',
    reason,
    nextAt: at(inMs),
  });

  const nextDay = at(20 * 3_600_000);
  /** Each wait as `bolt run` (the defaults), the web in English, and the web in Portuguese say it. */
  const cases: Array<[StepQuota, string, string, string]> = [
    [
      gemini('pace', 11_400),
      'waiting for quota (Gemini key …1234, next slot in 12 s)',
      'waiting for quota (Gemini key …1234, next slot in 12.0 s)',
      'aguardando cota (chave Gemini …1234, próxima vaga em 12.0 s)',
    ],
    [
      gemini('pace', -5_000),
      'waiting for quota (Gemini key …1234, next slot in 1 s)',
      'waiting for quota (Gemini key …1234, next slot in 1.0 s)',
      'aguardando cota (chave Gemini …1234, próxima vaga em 1.0 s)',
    ],
    [
      tts('queue', 90_000),
      'waiting for quota (Google Cloud Text-to-Speech server key: behind other requests, next slot in 90 s)',
      'waiting for quota (Google Cloud Text-to-Speech server key: behind other requests, next slot in 1:30)',
      'aguardando cota (chave Google Cloud Text-to-Speech do servidor: atrás de outros pedidos, próxima vaga em 1:30)',
    ],
    [
      gemini('rest', 3_600_000),
      'waiting for quota (Gemini key …1234: the provider asked to wait, next slot in 3600 s)',
      'waiting for quota (Gemini key …1234: the provider asked to wait, next slot in 1:00:00)',
      'aguardando cota (chave Gemini …1234: o provedor pediu para esperar, próxima vaga em 1:00:00)',
    ],
    [
      gemini('day', 20 * 3_600_000),
      'waiting for quota (Gemini key …1234: its requests for today are spent, next slot at 2026-12-02T08:00:00.000Z)',
      `waiting for quota (Gemini key …1234: its requests for today are spent, next slot at ${formatDate(nextDay, 'en')})`,
      `aguardando cota (chave Gemini …1234: os pedidos de hoje acabaram, próxima vaga em ${formatDate(nextDay, 'pt-BR')})`,
    ],
  ];

  it.each(cases)('words %j the same way in bolt run and in each UI language', (quota, boltRun, en, pt) => {
    expect(quotaWaitText(quota, now)).toBe(boltRun);
    expect(quotaWaitText(quota, now, quotaTextOptions('en'))).toBe(en);
    expect(quotaText(quota, now, 'en')).toBe(en);
    expect(quotaText(quota, now, 'pt-BR')).toBe(pt);
  });

  it('says a spent day with the date it ends, in Portuguese too', () => {
    expect(quotaText(gemini('day', 20 * 3_600_000), now, 'pt-BR')).toMatch(
      /^aguardando cota \(chave Gemini …1234: os pedidos de hoje acabaram, próxima vaga em .*2026.*\)$/,
    );
  });

  it('asks the translator only for texts the pt-BR dictionary has', () => {
    const asked = new Set<string>();
    const t = (text: string) => {
      asked.add(text);
      return text;
    };
    for (const reason of ['pace', 'queue', 'rest', 'day'] as const)
      for (const quota of [gemini(reason, 5_000), tts(reason, 5 * 3_600_000)])
        quotaWaitText(quota, now, { t });
    expect([...asked].sort()).toEqual(
      [
        'waiting for quota ({key}, {when})',
        '{provider} key {key}',
        '{provider} server key',
        'next slot in {time}',
        'next slot at {time}',
        'behind other requests',
        'the provider asked to wait',
        'its requests for today are spent',
      ].sort(),
    );
    expect([...asked].filter((text) => !(text in ptBR))).toEqual([]);
  });
});
