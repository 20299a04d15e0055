import type OpenAI from 'openai';
import { openAiClient, openAiFailure } from '../llm/openai.ts';
import type { TtsProvider, TtsRequest, TtsResult, Voice } from './provider.ts';

export interface OpenAiTtsOptions {
  apiKey: string;
  /** Another endpoint speaking the OpenAI API, including its `/v1`. */
  baseUrl?: string;
  /** `gpt-4o-mini-tts` (default), `tts-1` or `tts-1-hd`. */
  model?: string;
  /** Used when the request names none. */
  defaultVoice?: string;
  /** Per-request timeout in milliseconds; default two minutes. */
  timeoutMs?: number;
}

/** OpenAI's built-in voices; every one speaks every language the model does. */
export const openAiVoices = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'fable',
  'nova',
  'onyx',
  'sage',
  'shimmer',
] as const;

/** OpenAI text-to-speech (`audio.speech.create`) through the official SDK, answering WAV. */
export class OpenAiTtsProvider implements TtsProvider {
  readonly name = 'openai-tts';
  /** OpenAI's limit is 4,096 characters; counting bytes keeps every request under it. */
  readonly maxInputBytes = 4096;
  private client?: OpenAI;

  constructor(private readonly options: OpenAiTtsOptions) {}

  /** Built on first request: the SDK refuses an empty key, and reading the limit needs none. */
  private get api(): OpenAI {
    this.client ??= openAiClient(
      this.options.apiKey,
      this.options.baseUrl,
      this.options.timeoutMs ?? 120_000,
    );
    return this.client;
  }

  /**
   * Only the rate: `speed` takes OpenAI's range, 0.25 to 4. The speech API has no pitch and no gain (a
   * gain would be undone anyway: narrations are loudness-normalised).
   */
  voiceParams({ settings }: Pick<TtsRequest, 'settings'>): { speed?: number } {
    return settings && settings.rate !== 1 ? { speed: settings.rate } : {};
  }

  async synthesize(req: TtsRequest): Promise<TtsResult> {
    let audio: Buffer;
    try {
      const res = await this.api.audio.speech.create(
        {
          model: this.options.model ?? 'gpt-4o-mini-tts',
          voice: req.voice?.toLowerCase() ?? this.options.defaultVoice ?? 'alloy',
          input: req.text,
          response_format: 'wav',
          ...this.voiceParams(req),
        },
        { signal: req.signal },
      );
      audio = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      throw openAiFailure(err, 'openai', this.options.apiKey, req.signal);
    }
    return { audio, format: 'wav' };
  }

  async listVoices(language?: string): Promise<Voice[]> {
    return openAiVoices.map((name) => ({ name, languages: language ? [language] : [] }));
  }
}
