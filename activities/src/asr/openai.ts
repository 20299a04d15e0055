import type OpenAI from 'openai';
import { toFile } from 'openai';
import { openAiClient, openAiFailure } from '../llm/openai.ts';
import type { Transcriber, TranscriptionRequest } from './provider.ts';

export interface OpenAiTranscriberOptions {
  apiKey: string;
  /** Another endpoint speaking the OpenAI API, including its `/v1`. */
  baseUrl?: string;
  /** `gpt-4o-mini-transcribe` (default), `gpt-4o-transcribe` or `whisper-1`. */
  model?: string;
  /** Per-request timeout in milliseconds; default two minutes. */
  timeoutMs?: number;
}

/** OpenAI speech-to-text (`audio.transcriptions.create`) through the official SDK. */
export class OpenAiTranscriber implements Transcriber {
  readonly name = 'openai-asr';
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiTranscriberOptions) {
    this.client = openAiClient(options.apiKey, options.baseUrl, options.timeoutMs ?? 120_000);
  }

  async transcribe(req: TranscriptionRequest): Promise<{ text: string }> {
    try {
      const res = await this.client.audio.transcriptions.create(
        {
          // The API tells the format by the file name.
          file: await toFile(req.audio, 'speech.wav', { type: 'audio/wav' }),
          model: this.options.model ?? 'gpt-4o-mini-transcribe',
          // ISO 639-1, the primary subtag: `pt` for `pt-BR`.
          language: new Intl.Locale(req.language).language,
          response_format: 'json',
        },
        { signal: req.signal },
      );
      return { text: res.text.trim() };
    } catch (err) {
      throw openAiFailure(err, 'openai', this.options.apiKey, req.signal);
    }
  }
}
