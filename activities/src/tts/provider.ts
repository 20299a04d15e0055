import type { VoiceSettings, VoiceView } from '@bolt/core';

/** A voice as the API lists it (core's schema documents it). */
export type Voice = VoiceView;

export interface TtsRequest {
  text: string;
  language: string;
  voice?: string;
  /** How the voice speaks; each engine applies what it can (see `voiceParams`). */
  settings?: VoiceSettings;
  /** Aborts the call when the activity is cancelled or timed out. */
  signal?: AbortSignal;
}

export interface TtsResult {
  audio: Buffer;
  /**
   * What the provider sent, unconverted: a WAV or MP3 file, or raw `pcm` (signed 16-bit little-endian
   * mono samples at `sampleRate`, e.g. Gemini's 24 kHz). The caller converts every chunk to WAV.
   */
  format: 'wav' | 'mp3' | 'pcm';
  /** Samples per second; set for `pcm` (and for WAV when the provider says). */
  sampleRate?: number;
}

/** Every speech engine Bolt talks to sits behind this interface (chosen per agent). */
export interface TtsProvider {
  readonly name: string;
  /** The most input one request may carry, in UTF-8 bytes. */
  readonly maxInputBytes: number;
  synthesize(req: TtsRequest): Promise<TtsResult>;
  listVoices(language?: string): Promise<Voice[]>;
  /**
   * What a request's voice settings become in this engine's own terms, leaving out the defaults and
   * what the engine cannot do. A chunk's cache key includes it, so only a change that changes the
   * audio synthesizes the chunk again.
   */
  voiceParams(req: Pick<TtsRequest, 'text' | 'language' | 'voice' | 'settings'>): Record<string, unknown>;
  /**
   * Engines that mark a pause between paragraphs inside one request (SSML breaks) build that input
   * here; undefined when this voice takes no such markup.
   */
  paragraphInput?(paragraphs: string[], voice: string | undefined, pauseMs: number): string | undefined;
}
