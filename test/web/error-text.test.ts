import { describe, expect, it } from 'vitest';
import { errorText } from '../../web/src/lib/error-text.ts';
import { translate } from '../../web/src/lib/i18n.ts';

const en = (text: string, params?: Record<string, string | number>) => translate('en', text, params);
const pt = (text: string, params?: Record<string, string | number>) => translate('pt-BR', text, params);

describe('API errors in the UI language', () => {
  const throttled = {
    code: 'provider_rate_limited',
    message: 'Gemini is rate-limiting this key now; try again in 3 s.',
    details: {
      provider: 'gemini',
      kind: 'rate-limited',
      status: 429,
      reason: 'Quota exceeded',
      retry_after: 3,
    },
  };

  it("says a provider's refusal by its code, keeping the provider's own words", () => {
    expect(errorText(throttled, en)).toBe(
      'Gemini is rate-limiting this key now; try again in 3 s. (Quota exceeded)',
    );
    expect(errorText(throttled, pt)).toBe(
      'Gemini está limitando o uso desta chave agora; tente de novo em 3 s. (Quota exceeded)',
    );
    expect(errorText({ code: 'no_previous_take', message: 'Block 2 of en-US has no earlier take' }, pt)).toBe(
      'Este bloco não tem versão anterior para restaurar.',
    );
  });

  it("keeps the server's message for a code the app does not know", () => {
    expect(errorText({ code: 'something_new', message: 'A new kind of trouble' }, pt)).toBe(
      'A new kind of trouble',
    );
  });
});
