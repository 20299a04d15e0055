/**
 * Estimated prices in US dollars, per million units: tokens in/out for text models, characters for
 * speech. Keys are `provider:model`, or `provider:*` for any model of that provider. Local engines cost
 * nothing. Override or extend with BOLT_PRICES (same shape, JSON).
 */
import type { TtsProviderName } from './domain.ts';

/** The names the usage ledger and the price table know each speech engine by. */
export const ttsUsageName: Record<TtsProviderName, string> = {
  espeak: 'espeak',
  kokoro: 'kokoro',
  google: 'google-tts',
  openai: 'openai-tts',
  gemini: 'gemini-tts',
};

export interface Price {
  inputPerMTokens?: number;
  outputPerMTokens?: number;
  perMChars?: number;
  /** Transcription, per minute of audio heard. */
  perMinute?: number;
}

export type PriceTable = Record<string, Price>;

export const defaultPrices: PriceTable = {
  'gemini:gemini-2.5-pro': { inputPerMTokens: 1.25, outputPerMTokens: 10 },
  'gemini:gemini-2.5-flash': { inputPerMTokens: 0.3, outputPerMTokens: 2.5 },
  'gemini:*': { inputPerMTokens: 0.3, outputPerMTokens: 2.5 },
  'openai:gpt-4o-mini': { inputPerMTokens: 0.15, outputPerMTokens: 0.6 },
  'openai:*': { inputPerMTokens: 2.5, outputPerMTokens: 10 },
  'google-tts:*': { perMChars: 16 },
  'openai-tts:*': { perMChars: 15 },
  'gemini-tts:*': { perMChars: 10 },
  // Gemini hears 32 tokens a second, at $1 per million audio tokens on Flash.
  'gemini-asr:*': { perMinute: 0.00192 },
  'openai-asr:gpt-4o-mini-transcribe': { perMinute: 0.003 },
  'openai-asr:*': { perMinute: 0.006 },
};

export function priceTable(overrides?: string): PriceTable {
  return { ...defaultPrices, ...(overrides ? (JSON.parse(overrides) as PriceTable) : {}) };
}

export interface Usage {
  tokensIn?: number;
  tokensOut?: number;
  chars?: number;
  /** Audio heard by a transcription. */
  seconds?: number;
}

/** The estimated cost of one call; 0 for anything the table does not price (local engines). */
export function estimateCost(table: PriceTable, provider: string, model: string, usage: Usage): number {
  const price = table[`${provider}:${model}`] ?? table[`${provider}:*`];
  if (!price) return 0;
  return (
    ((usage.tokensIn ?? 0) * (price.inputPerMTokens ?? 0) +
      (usage.tokensOut ?? 0) * (price.outputPerMTokens ?? 0) +
      (usage.chars ?? 0) * (price.perMChars ?? 0)) /
      1_000_000 +
    ((usage.seconds ?? 0) / 60) * (price.perMinute ?? 0)
  );
}
