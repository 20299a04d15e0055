import type { GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { checkGeminiBlocked, geminiClient, geminiFailure } from '../llm/gemini.ts';
import { ProviderError } from '../providers/errors.ts';
import type { Transcriber, TranscriptionRequest } from './provider.ts';

export interface GeminiTranscriberOptions {
  apiKey: string;
  /** Another endpoint speaking the Gemini API. */
  baseUrl?: string;
  /** A model that understands audio; default `gemini-2.5-flash`. */
  model?: string;
  /** Thinking tokens allowed (0 turns it off on Flash); the model's default when absent. */
  thinkingBudget?: number;
  /** Per-request timeout in milliseconds; default two minutes. */
  timeoutMs?: number;
}

/** The instruction sent with the audio: the words only, so that they can be compared with the script's. */
export function transcriptionPrompt(language: string): string {
  const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(language) ?? language;
  return (
    `Transcribe this audio verbatim. It is spoken in ${name} (${language}). Reply with the words spoken ` +
    'and nothing else: no translation, no timestamps, no speaker labels, no notes. Where there is no ' +
    'speech, reply with nothing.'
  );
}

/** Gemini audio understanding through @google/genai: generateContent with the WAV inline. */
export class GeminiTranscriber implements Transcriber {
  readonly name = 'gemini-asr';
  private readonly client: GoogleGenAI;

  constructor(private readonly options: GeminiTranscriberOptions) {
    this.client = geminiClient(options.apiKey, options.baseUrl, options.timeoutMs ?? 120_000);
  }

  async transcribe(req: TranscriptionRequest): Promise<{ text: string }> {
    const { apiKey, thinkingBudget } = this.options;
    let res: GenerateContentResponse;
    try {
      res = await this.client.models.generateContent({
        model: this.options.model ?? 'gemini-2.5-flash',
        contents: [
          {
            role: 'user',
            parts: [
              { inlineData: { mimeType: 'audio/wav', data: req.audio.toString('base64') } },
              { text: transcriptionPrompt(req.language) },
            ],
          },
        ],
        config: {
          temperature: 0,
          ...(thinkingBudget !== undefined ? { thinkingConfig: { thinkingBudget } } : {}),
          ...(req.signal ? { abortSignal: req.signal } : {}),
        },
      });
    } catch (err) {
      throw geminiFailure(err, 'gemini', apiKey, req.signal);
    }
    checkGeminiBlocked(res, 'gemini', apiKey);
    const candidate = res.candidates?.[0];
    // A transcript cut off would read as missing words.
    if (candidate?.finishReason === 'MAX_TOKENS')
      throw new ProviderError({
        kind: 'transient',
        provider: 'gemini',
        message: 'Gemini stopped the transcript at its token limit; Bolt retries on its own.',
      });
    const text = (candidate?.content?.parts ?? [])
      .filter((p) => typeof p.text === 'string' && !p.thought)
      .map((p) => p.text)
      .join('')
      .trim();
    return { text };
  }
}
