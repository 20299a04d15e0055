export interface TranscriptionRequest {
  /** A WAV file, as chunks are stored (24 kHz mono 16-bit). */
  audio: Buffer;
  /** What the audio is meant to be in, as a BCP-47 tag (`pt-BR`). */
  language: string;
  /** Aborts the call when the activity is cancelled or timed out. */
  signal?: AbortSignal;
}

/** Every speech-to-text engine Bolt checks its narration with sits behind this interface. */
export interface Transcriber {
  readonly name: string;
  /** What the audio says; empty when it says nothing a listener would recognise. */
  transcribe(req: TranscriptionRequest): Promise<{ text: string }>;
}
