export interface Voice {
  name: string;
  languages: string[];
  gender?: string;
}

export interface TtsRequest {
  text: string;
  language: string;
  voice?: string;
}

export interface TtsResult {
  audio: Buffer;
  format: 'wav' | 'mp3';
}

/** Every speech engine Bolt talks to sits behind this interface (chosen per agent). */
export interface TtsProvider {
  readonly name: string;
  /** The most input one request may carry, in UTF-8 bytes. */
  readonly maxInputBytes: number;
  synthesize(req: TtsRequest): Promise<TtsResult>;
  listVoices(language?: string): Promise<Voice[]>;
}
