export interface Voice {
  name: string;
  languages: string[];
  gender?: string;
}

export interface TtsRequest {
  text: string;
  language: string;
  voice?: string;
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
}
