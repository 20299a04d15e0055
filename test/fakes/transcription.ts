import { createHash } from 'node:crypto';
import { countWords, hashOf, tokensFor } from './content.ts';
import type { FakeApi, FaultKind } from './providers.ts';

/**
 * Speech-to-text for the stand-in: it "hears" what it said. Every audio it synthesizes is remembered
 * by its samples, so the same samples come back transcribed however they are wrapped (Bolt re-heads
 * every chunk as its own WAV). Audio it never made is noise to it: an empty transcript.
 */

/** The 16-bit samples in a WAV (its data chunk) or raw PCM, and their rate. */
function samplesOf(audio: Buffer): { samples: Buffer; sampleRate: number } {
  if (audio.length >= 12 && audio.toString('ascii', 0, 4) === 'RIFF') {
    let sampleRate = 24_000;
    for (let at = 12; at + 8 <= audio.length; ) {
      const id = audio.toString('ascii', at, at + 4);
      const size = audio.readUInt32LE(at + 4);
      if (id === 'fmt ') sampleRate = audio.readUInt32LE(at + 12);
      if (id === 'data') return { samples: audio.subarray(at + 8, at + 8 + size), sampleRate };
      at += 8 + size + (size % 2);
    }
  }
  return { samples: audio, sampleRate: 24_000 };
}

const seconds = (audio: Buffer) => {
  const { samples, sampleRate } = samplesOf(audio);
  return samples.length / 2 / sampleRate;
};

const keyOf = (audio: Buffer) => createHash('sha256').update(samplesOf(audio).samples).digest('hex');

export class Transcripts {
  private readonly said = new Map<string, string>();

  /** `audio`: raw 16-bit PCM, or a WAV around it. */
  remember(audio: Buffer, text: string): void {
    this.said.set(keyOf(audio), text);
  }

  heard(audio: Buffer): string {
    return this.said.get(keyOf(audio)) ?? '';
  }
}

/** A Gemini speech prompt less its style direction (`Read aloud …:`, a blank line): not read out. */
export function spokenText(prompt: string): string {
  return prompt.replace(/^[^\n]*:\n\n/, '');
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** What SSML sounds like: its text, each tag (a break, a paragraph) a gap between words. */
export function ssmlText(ssml: string): string {
  return ssml
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => entities[name] ?? '')
    .trim();
}

/** The `drop-words` fault: every third word goes missing, as from an engine that mumbles. */
function dropWords(text: string): string {
  return text
    .split(/\s+/)
    .filter((_, i) => i % 3 !== 2)
    .join(' ');
}

interface InlineData {
  mimeType?: string;
  data?: string;
}

/** The audio parts of a Gemini request's contents. */
function geminiAudio(body: Record<string, unknown>): InlineData[] {
  const contents = (body.contents ?? []) as Array<{ parts?: Array<{ inlineData?: InlineData }> }>;
  return contents
    .flatMap((c) => c.parts ?? [])
    .map((p) => p.inlineData)
    .filter((d): d is InlineData => Boolean(d?.mimeType?.startsWith('audio/')));
}

/** Whether a call asks for a transcript (the calls the `drop-words` fault affects). */
export function isTranscription(api: FakeApi, path: string, body: Record<string, unknown>): boolean {
  if (api === 'openai') return path === '/v1/audio/transcriptions';
  return api === 'gemini' && path.endsWith(':generateContent') && geminiAudio(body).length > 0;
}

/** Gemini's answer to a generateContent call carrying audio: the transcript as the model's text. */
export function geminiTranscription(
  body: Record<string, unknown>,
  model: string,
  transcripts: Transcripts,
  fault: FaultKind | undefined,
) {
  const audio = geminiAudio(body).map((d) => Buffer.from(d.data ?? '', 'base64'));
  const instruction = ((body.contents ?? []) as Array<{ parts?: Array<{ text?: string }> }>)
    .flatMap((c) => c.parts ?? [])
    .map((p) => p.text ?? '')
    .join(' ');
  // Gemini counts 32 tokens per second of audio.
  const audioTokens = Math.ceil(audio.reduce((n, a) => n + seconds(a), 0) * 32);
  const textTokens = tokensFor(countWords(instruction));
  const promptTokenCount = audioTokens + textTokens;
  const usage = {
    promptTokenCount,
    promptTokensDetails: [
      { modality: 'TEXT', tokenCount: textTokens },
      { modality: 'AUDIO', tokenCount: audioTokens },
    ],
  };
  if (fault === 'safety')
    return {
      promptFeedback: { blockReason: 'SAFETY' },
      usageMetadata: { ...usage, totalTokenCount: promptTokenCount },
      modelVersion: model,
    };
  let text = audio.map((a) => transcripts.heard(a)).join(' ');
  if (fault === 'drop-words') text = dropWords(text);
  const words = text.split(/\s+/).filter(Boolean);
  const truncated = fault === 'truncate' && words.length > 1;
  if (truncated) text = words.slice(0, Math.ceil(words.length / 2)).join(' ');
  const candidatesTokenCount = tokensFor(countWords(text));
  return {
    candidates: [
      {
        content: { role: 'model', parts: [{ text }] },
        finishReason: truncated ? 'MAX_TOKENS' : 'STOP',
        index: 0,
      },
    ],
    usageMetadata: {
      ...usage,
      candidatesTokenCount,
      totalTokenCount: promptTokenCount + candidatesTokenCount,
    },
    modelVersion: model,
    responseId: hashOf(model, text).slice(0, 22),
  };
}

const openAiTranscriptionModels = new Set(['gpt-4o-mini-transcribe', 'gpt-4o-transcribe', 'whisper-1']);
const audioFileTypes = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'];

const openAiError = (status: number, message: string, code: string | null, param: string | null) => ({
  status,
  body: { error: { message, type: 'invalid_request_error', param, code } },
});

/** OpenAI's answer to `POST /v1/audio/transcriptions` (a multipart form), as `response_format: json`. */
export async function openAiTranscription(
  raw: Buffer,
  contentType: string,
  transcripts: Transcripts,
  fault: FaultKind | undefined,
): Promise<{ status: number; body: unknown }> {
  const form = await new Response(raw, { headers: { 'content-type': contentType } })
    .formData()
    .catch(() => undefined);
  const model = String(form?.get('model') ?? '');
  if (!model)
    return openAiError(400, 'you must provide a model parameter', 'missing_required_parameter', 'model');
  if (!openAiTranscriptionModels.has(model))
    return openAiError(
      404,
      `The model \`${model}\` does not exist or you do not have access to it.`,
      'model_not_found',
      null,
    );
  const file = form?.get('file');
  if (!(file instanceof Blob))
    return openAiError(400, "Missing required parameter: 'file'.", 'missing_required_parameter', 'file');
  const name = file instanceof File ? file.name : '';
  if (!audioFileTypes.includes(name.split('.').pop()?.toLowerCase() ?? ''))
    return openAiError(
      400,
      `Invalid file format. Supported formats: [${audioFileTypes.map((t) => `'${t}'`).join(', ')}]`,
      null,
      null,
    );
  const format = String(form?.get('response_format') ?? 'json');
  if (format !== 'json')
    return openAiError(
      400,
      `This stand-in only answers response_format json, not ${format}.`,
      'invalid_value',
      'response_format',
    );
  if (fault === 'safety')
    return openAiError(
      400,
      'Your request was rejected as a result of our safety system.',
      'content_policy_violation',
      null,
    );
  const audio = Buffer.from(await file.arrayBuffer());
  let text = transcripts.heard(audio);
  if (fault === 'drop-words') text = dropWords(text);
  return { status: 200, body: { text, usage: openAiUsage(model, seconds(audio), text) } };
}

/** Whisper bills by the second, the GPT-4o models by tokens (about ten per second of audio). */
function openAiUsage(model: string, audioSeconds: number, text: string) {
  if (model === 'whisper-1') return { type: 'duration', seconds: Math.ceil(audioSeconds) };
  const audioTokens = Math.ceil(audioSeconds * 10);
  const outputTokens = tokensFor(countWords(text));
  return {
    type: 'tokens',
    input_tokens: audioTokens,
    input_token_details: { text_tokens: 0, audio_tokens: audioTokens },
    output_tokens: outputTokens,
    total_tokens: audioTokens + outputTokens,
  };
}
