import { TextToSpeechClient } from '@google-cloud/text-to-speech';
import { emptyReplyError } from '../providers/errors.ts';
import { classifyGoogleError } from '../providers/google-errors.ts';
import { paragraphsOf } from './paragraphs.ts';
import type { TtsProvider, TtsRequest, TtsResult, Voice } from './provider.ts';

export interface GoogleTtsOptions {
  apiKey: string;
  /** Another endpoint speaking the Cloud Text-to-Speech REST API, e.g. `http://127.0.0.1:9100`. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds; default two minutes. */
  timeoutMs?: number;
}

/** The REST transport's connection settings for a base URL (host, port and http/https). */
export function googleTtsEndpoint(baseUrl: string): { apiEndpoint: string; port: number; protocol: string } {
  const url = new URL(baseUrl);
  const protocol = url.protocol.replace(/:$/, '');
  return {
    apiEndpoint: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
  };
}

/** A Cloud Text-to-Speech client using the HTTP/JSON (REST) transport and an API key, without retries. */
export function googleTtsClient(apiKey: string, baseUrl?: string): TextToSpeechClient {
  return new TextToSpeechClient({
    apiKey,
    // HTTP/1.1 + JSON instead of gRPC: API keys work with it, and so does any plain HTTP endpoint.
    fallback: true,
    ...(baseUrl ? googleTtsEndpoint(baseUrl) : {}),
  });
}

const genders = ['unspecified', 'male', 'female', 'neutral'];

function genderName(g: unknown): string | undefined {
  const name = typeof g === 'number' ? genders[g] : typeof g === 'string' ? g.toLowerCase() : undefined;
  return name && name !== 'unspecified' && name !== 'ssml_voice_gender_unspecified' ? name : undefined;
}

/** Google answers speaking rates above this with an error. */
const MAX_SPEAKING_RATE = 2;

/**
 * What a voice takes besides plain text, by family: Chirp 3 HD voices take no SSML and no pitch, the
 * Chirp HD and Journey voices not even a speaking rate; the others (Standard, WaveNet, Neural2…) all.
 */
function voiceFeatures(voice: string | undefined) {
  const generative = /-(Chirp3-HD|Chirp-HD|Journey)-/i.test(voice ?? '');
  return { ssml: !generative, pitch: !generative, rate: !/-(Chirp-HD|Journey)-/i.test(voice ?? '') };
}

const xmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => xmlEscapes[c] ?? c);

/** The audioConfig fields the settings ask for, and the paragraph pause when it goes into SSML. */
type GoogleVoiceParams = {
  speakingRate?: number;
  pitch?: number;
  volumeGainDb?: number;
  paragraphPauseMs?: number;
};

/**
 * Google Cloud Text-to-Speech through the official client (`@google-cloud/text-to-speech`), with the
 * user's API key. LINEAR16 answers are WAV files (the API adds the RIFF header).
 */
export class GoogleTtsProvider implements TtsProvider {
  readonly name = 'google-tts';
  /** Google's limit: 5,000 bytes of input text per request. */
  readonly maxInputBytes = 5000;
  private client?: TextToSpeechClient;

  constructor(private readonly options: GoogleTtsOptions) {}

  private get tts(): TextToSpeechClient {
    this.client ??= googleTtsClient(this.options.apiKey, this.options.baseUrl);
    return this.client;
  }

  /** Call options: no retries inside the client (Temporal retries the activity), one timeout. */
  private get callOptions() {
    return { retry: null, timeout: this.options.timeoutMs ?? 120_000 };
  }

  private async call<T>(run: () => Promise<T> & { cancel?: () => void }, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const pending = run();
    const cancel = () => pending.cancel?.();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await pending;
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      throw classifyGoogleError(this.name, err, this.options.apiKey);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  voiceParams({ text, voice, settings }: Pick<TtsRequest, 'text' | 'voice' | 'settings'>): GoogleVoiceParams {
    if (!settings) return {};
    const can = voiceFeatures(voice);
    const rate = Math.min(settings.rate, MAX_SPEAKING_RATE);
    const pause = settings.paragraph_pause_ms;
    const ssml = can.ssml && pause > 0 && paragraphsOf(text).length > 1;
    return {
      ...(can.rate && rate !== 1 ? { speakingRate: rate } : {}),
      ...(can.pitch && settings.pitch !== 0 ? { pitch: settings.pitch } : {}),
      ...(settings.gain_db !== 0 ? { volumeGainDb: settings.gain_db } : {}),
      ...(ssml ? { paragraphPauseMs: pause } : {}),
    };
  }

  /** SSML with a break of `pauseMs` between the paragraphs, for the voices that take SSML. */
  paragraphInput(paragraphs: string[], voice: string | undefined, pauseMs: number): string | undefined {
    if (!voiceFeatures(voice).ssml) return undefined;
    return `<speak>${paragraphs.map(escapeXml).join(`<break time="${pauseMs}ms"/>`)}</speak>`;
  }

  async synthesize(req: TtsRequest): Promise<TtsResult> {
    const { paragraphPauseMs, ...audioConfig } = this.voiceParams(req);
    const ssml = paragraphPauseMs
      ? this.paragraphInput(paragraphsOf(req.text), req.voice, paragraphPauseMs)
      : undefined;
    const [res] = await this.call(
      () =>
        this.tts.synthesizeSpeech(
          {
            input: ssml ? { ssml } : { text: req.text },
            voice: { languageCode: req.language, ...(req.voice ? { name: req.voice } : {}) },
            audioConfig: { audioEncoding: 'LINEAR16', ...audioConfig },
          },
          this.callOptions,
        ),
      req.signal,
    );
    const content = res.audioContent;
    const audio =
      typeof content === 'string'
        ? Buffer.from(content, 'base64')
        : content
          ? Buffer.from(content)
          : Buffer.alloc(0);
    if (audio.length === 0) throw emptyReplyError(this.name, 'the answer had no audio', this.options.apiKey);
    return { audio, format: 'wav' };
  }

  async listVoices(language?: string): Promise<Voice[]> {
    const [res] = await this.call(() =>
      this.tts.listVoices(language ? { languageCode: language } : {}, this.callOptions),
    );
    return (res.voices ?? []).map((v) => {
      const gender = genderName(v.ssmlGender);
      return { name: v.name ?? '', languages: v.languageCodes ?? [], ...(gender ? { gender } : {}) };
    });
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}
