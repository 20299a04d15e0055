import type { VoiceSettings } from '@bolt/core';
import type { GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { checkGeminiBlocked, geminiClient, geminiFailure } from '../llm/gemini.ts';
import { emptyReplyError } from '../providers/errors.ts';
import type { TtsProvider, TtsRequest, TtsResult, Voice } from './provider.ts';

export interface GeminiTtsOptions {
  apiKey: string;
  /** Another endpoint speaking the Gemini API. */
  baseUrl?: string;
  /** Default `gemini-2.5-flash-preview-tts`. */
  model?: string;
  /** Used when the request names none; default `Kore`. */
  defaultVoice?: string;
  /** Per-request timeout in milliseconds; default three minutes (speech takes longer than text). */
  timeoutMs?: number;
}

/** Gemini's prebuilt voices; each speaks every language the model does. */
export const geminiVoices = [
  'Zephyr',
  'Puck',
  'Charon',
  'Kore',
  'Fenrir',
  'Leda',
  'Orus',
  'Aoede',
  'Callirrhoe',
  'Autonoe',
  'Enceladus',
  'Iapetus',
  'Umbriel',
  'Algieba',
  'Despina',
  'Erinome',
  'Algenib',
  'Rasalgethi',
  'Laomedeia',
  'Achernar',
  'Alnilam',
  'Schedar',
  'Gacrux',
  'Pulcherrima',
  'Achird',
  'Zubenelgenubi',
  'Vindemiatrix',
  'Sadachbia',
  'Sadaltager',
  'Sulafat',
] as const;

/** The sample rate in a mime type such as `audio/L16;codec=pcm;rate=24000`. */
export function mimeSampleRate(mimeType: string | undefined): number | undefined {
  const m = /(?:^|;)\s*rate=(\d+)/i.exec(mimeType ?? '');
  return m ? Number(m[1]) : undefined;
}

/** "a slightly ", "a " or "a much ": how far an amount is from none, by three thresholds; undefined below them. */
function degree(amount: number, [slightly, clearly, much]: [number, number, number]): string | undefined {
  const size = Math.abs(amount);
  return size >= much ? 'a much ' : size >= clearly ? 'a ' : size >= slightly ? 'a slightly ' : undefined;
}

/**
 * Gemini's speech models take directions in words, before the text: the rate and pitch as one, e.g.
 * "Read aloud at a slightly faster pace, with a lower pitch:". Changes too small to name say nothing.
 */
export function speakingStyle(settings: VoiceSettings | undefined): string | undefined {
  if (!settings) return undefined;
  const octaves = Math.log2(settings.rate);
  const pace = degree(octaves, [0.1, 0.45, 0.9]);
  const pitch = degree(settings.pitch, [1, 4, 8]);
  const parts = [
    pace && `at ${pace}${octaves > 0 ? 'faster' : 'slower'} pace`,
    pitch && `with ${pitch}${settings.pitch > 0 ? 'higher' : 'lower'} pitch`,
  ].filter(Boolean);
  return parts.length > 0 ? `Read aloud ${parts.join(', ')}:` : undefined;
}

/**
 * Gemini's speech models through @google/genai: generateContent with the AUDIO modality and a prebuilt
 * voice. The answer is raw 16-bit PCM (24 kHz mono), returned as such for the caller to wrap.
 */
export class GeminiTtsProvider implements TtsProvider {
  readonly name = 'gemini-tts';
  /** Gemini reads up to about ten minutes per answer; 4,000 bytes stays well inside it. */
  readonly maxInputBytes = 4000;
  private readonly client: GoogleGenAI;

  constructor(private readonly options: GeminiTtsOptions) {
    // Speech generation is documented on v1beta.
    this.client = geminiClient(options.apiKey, options.baseUrl, options.timeoutMs ?? 180_000, 'v1beta');
  }

  /** Prebuilt voice names are matched without regard to case (`kore` → `Kore`). */
  private voiceName(requested?: string): string {
    const want = requested ?? this.options.defaultVoice ?? 'Kore';
    return geminiVoices.find((v) => v.toLowerCase() === want.toLowerCase()) ?? want;
  }

  /** The rate and pitch as a spoken direction; gain is not theirs to set (narrations are normalised). */
  voiceParams({ settings }: Pick<TtsRequest, 'settings'>): { style?: string } {
    const style = speakingStyle(settings);
    return style ? { style } : {};
  }

  async synthesize(req: TtsRequest): Promise<TtsResult> {
    const { apiKey } = this.options;
    const { style } = this.voiceParams(req);
    let res: GenerateContentResponse;
    try {
      res = await this.client.models.generateContent({
        model: this.options.model ?? 'gemini-2.5-flash-preview-tts',
        contents: [{ role: 'user', parts: [{ text: style ? `${style}\n\n${req.text}` : req.text }] }],
        config: {
          responseModalities: ['AUDIO'],
          speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: this.voiceName(req.voice) } } },
          ...(req.signal ? { abortSignal: req.signal } : {}),
        },
      });
    } catch (err) {
      throw geminiFailure(err, 'gemini', apiKey, req.signal);
    }
    checkGeminiBlocked(res, 'gemini', apiKey);
    const parts = res.candidates?.[0]?.content?.parts ?? [];
    const inline = parts.map((p) => p.inlineData).filter((d) => d?.data);
    if (inline.length === 0) {
      const finish = res.candidates?.[0]?.finishReason ?? 'none';
      throw emptyReplyError('gemini', `the answer had no audio (finish reason ${finish})`, apiKey);
    }
    const audio = Buffer.concat(inline.map((d) => Buffer.from(d?.data ?? '', 'base64')));
    const mimeType = inline[0]?.mimeType ?? '';
    if (/wav/i.test(mimeType)) return { audio, format: 'wav' };
    if (/mpeg|mp3/i.test(mimeType)) return { audio, format: 'mp3' };
    return { audio, format: 'pcm', sampleRate: mimeSampleRate(mimeType) ?? 24_000 };
  }

  async listVoices(language?: string): Promise<Voice[]> {
    return geminiVoices.map((name) => ({ name, languages: language ? [language] : [] }));
  }
}
