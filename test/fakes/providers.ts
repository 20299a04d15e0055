import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  countWords,
  firstWords,
  hashOf,
  headings,
  languageAsked,
  prose,
  tokensFor,
  tone,
  wantedWords,
  wav,
} from './content.ts';
import { type AnswerWork, answerDelayMs, type LatencyProfile } from './latency.ts';
import { type Quota, QuotaLimiter } from './quota.ts';
import {
  geminiTranscription,
  isTranscription,
  openAiTranscription,
  spokenText,
  ssmlText,
  Transcripts,
} from './transcription.ts';
import { googleVoices, isGeminiVoice, openAiVoiceNames } from './voices.ts';

export { type LatencyProfile, realisticLatency } from './latency.ts';
export type { Quota } from './quota.ts';

/**
 * A local stand-in for the Gemini API, Google Cloud Text-to-Speech (REST) and the OpenAI API, speaking
 * their wire formats so that the official SDKs reach it by base URL.
 *
 * Keys decide the answer: `valid-…` works, `quota-…` is always over quota (429), anything else is an
 * invalid key, each in the provider's own error format. A quota (requests per minute and per day, per
 * key and per API) can be enforced on valid keys as the real services do. Answers are derived from a hash of the request,
 * so the same request gets the same text or audio on every run. Faults can be injected, and every
 * request is logged.
 */

export type FakeApi = 'gemini' | 'google-tts' | 'openai';

/**
 * - `latency`: answer normally after `latencyMs` (default 1000).
 * - `429`: over quota/rate limit, asking to retry after `retryDelaySeconds` (RetryInfo / retry-after).
 * - `500`: an internal error.
 * - `reset`: the connection is destroyed without an answer.
 * - `truncate`: text generation stops early (a 200 with finish reason MAX_TOKENS / `length`, about
 *   half the text, Gemini transcripts too); speech answers and OpenAI transcriptions are cut off
 *   mid-body and the connection destroyed.
 * - `safety`: the content is blocked (Gemini `promptFeedback.blockReason` for text, finish reason
 *   PROHIBITED_CONTENT for speech; OpenAI `content_filter` / `content_policy_violation`; Google TTS a
 *   400 naming harmful content).
 * - `invalid-key`: the key is rejected, whatever it is.
 * - `drop-words`: transcription calls only (other calls pass it by): every third word of the
 *   transcript is missing, as from speech that did not say them all.
 * - `wrong-language`: text generation answers in Portuguese, or in English when asked for Portuguese,
 *   as a model that did not translate.
 */
export type FaultKind =
  | 'latency'
  | '429'
  | '500'
  | 'wrong-language'
  | 'reset'
  | 'truncate'
  | 'safety'
  | 'invalid-key'
  | 'drop-words';

export interface Fault {
  /** Only requests to this API; any API when absent. */
  api?: FakeApi;
  kind: FaultKind;
  /** How many matching requests it affects; default 1. */
  times?: number;
  latencyMs?: number;
  retryDelaySeconds?: number;
  /** `paid` (default): only generate/synthesize calls; `all`: model and voice listings too. */
  calls?: 'paid' | 'all';
  /** Only requests whose body contains this text (e.g. the language an adaptation asks for). */
  matching?: string;
}

export interface FakeRequest {
  api: FakeApi | 'unknown';
  method: string;
  path: string;
  key: string;
  /** HTTP status answered; 0 while pending or when the connection was reset. */
  status: number;
  /** Hash of the path and body: the same call made twice has the same hash. */
  bodyHash: string;
  /** The start of the request body, to tell requests apart in a failure message. */
  excerpt: string;
  /** When the request arrived (ms since the epoch). */
  at: number;
  /** When its answer was sent or its connection closed (ms since the epoch); absent while open. */
  closedAt?: number;
  /** A paid call (generate/synthesize) whose 200 answer was sent in full. */
  completed: boolean;
  /** Whether this is a generate/synthesize call. */
  paid: boolean;
  /** The injected fault this request met, if any. */
  fault?: FaultKind;
  /** The quota limit that refused this request (answered 429), if one did. */
  quota?: 'minute' | 'day';
  /**
   * How a speech request asked to be spoken: Google's speakingRate, pitch, volumeGainDb and ssml,
   * OpenAI's speed, Gemini's prompt (where a style direction goes).
   */
  settings?: Record<string, unknown>;
  /** The voice a Google Cloud TTS request named (`voice.name`). */
  voice?: string;
}

export interface FakeProvidersOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Added to every generate/synthesize call. */
  latencyMs?: number;
  /**
   * Delays each successful paid answer by the work in it, on top of `latencyMs`: text and
   * transcriptions by `firstTokenMs` plus the output tokens at `tokensPerSecond`, speech by `fixedMs`
   * plus `msPerChar` per character of input. `realisticLatency` has published figures. None by default.
   */
  latency?: LatencyProfile;
  /** Audio length per character of input; default 20 ms. */
  msPerChar?: number;
  /** Retry delay sent with 429s when the fault sets none; default 7 s. */
  retryDelaySeconds?: number;
  /**
   * Requests per minute (a sliding window of arrival times) and per day (from midnight
   * America/Los_Angeles) that each valid key may make to each API, paid calls only. A request over
   * either limit is answered at once with the API's 429, whose retry delay is the time until a slot
   * frees; refused requests do not count against the quota. None by default.
   */
  quota?: Quota;
}

export interface FakeProviders {
  /** `http://127.0.0.1:<port>`: the base URL for Gemini and Google TTS; OpenAI's is `${url}/v1`. */
  url: string;
  /** The variables that point Bolt at this server. */
  env: { GEMINI_BASE_URL: string; GOOGLE_TTS_BASE_URL: string; OPENAI_BASE_URL: string };
  requests: FakeRequest[];
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Changes the latency added to every generate/synthesize call. */
  setLatency(ms: number): void;
  /** Changes the latency profile; `undefined` removes it. */
  setLatencyProfile(profile: LatencyProfile | undefined): void;
  /** Changes the quota (counts so far are kept); `{}` lifts it. */
  setQuota(quota: Quota): void;
  close(): Promise<void>;
}

const geminiModels = [
  { name: 'gemini-2.5-flash', displayName: 'Gemini 2.5 Flash' },
  { name: 'gemini-2.5-pro', displayName: 'Gemini 2.5 Pro' },
  { name: 'gemini-2.5-flash-lite', displayName: 'Gemini 2.5 Flash-Lite' },
  { name: 'gemini-2.0-flash', displayName: 'Gemini 2.0 Flash' },
  { name: 'gemini-2.5-flash-preview-tts', displayName: 'Gemini 2.5 Flash Preview TTS' },
  { name: 'gemini-2.5-pro-preview-tts', displayName: 'Gemini 2.5 Pro Preview TTS' },
];
const openAiModels = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'gpt-5-mini',
  'gpt-4o-mini-tts',
  'tts-1',
  'tts-1-hd',
];
const openAiSpeechModels = new Set(['gpt-4o-mini-tts', 'tts-1', 'tts-1-hd']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The parts of a request the handlers need. */
interface Call {
  api: FakeApi;
  method: string;
  path: string;
  query: URLSearchParams;
  key: string;
  body: Record<string, unknown>;
  hash: string;
  entry: FakeRequest;
  res: http.ServerResponse;
  options: Required<Omit<FakeProvidersOptions, 'quota' | 'latency'>> & { latency?: LatencyProfile };
  /** The work in the answer being sent, which the latency profile turns into a delay. */
  work?: AnswerWork;
  /** The body as sent (transcription requests are multipart forms) and its content type. */
  raw: Buffer;
  contentType: string;
  /** What every synthesized audio says, for transcription. */
  transcripts: Transcripts;
}

// ---------------------------------------------------------------------------------------------------
// Sending answers and errors in each provider's format.

/** Sends an answer, after the time the latency profile gives the work in it (successes only). */
function deliver(call: Call, status: number, write: () => void) {
  const ms = status === 200 ? answerDelayMs(call.options.latency, call.work) : 0;
  const send = () => {
    if (call.res.destroyed) return;
    call.entry.status = status;
    write();
  };
  if (ms <= 0) return send();
  setTimeout(send, ms).unref();
}

function send(call: Call, status: number, contentType: string, body: string | Buffer, headers = {}) {
  deliver(call, status, () => {
    call.res.writeHead(status, { 'content-type': contentType, ...headers });
    call.res.end(body);
  });
}

function sendJson(call: Call, status: number, body: unknown, headers: Record<string, string> = {}) {
  send(call, status, 'application/json; charset=UTF-8', JSON.stringify(body), headers);
}

function googleError(call: Call, code: number, status: string, message: string, details: unknown[] = []) {
  sendJson(call, code, { error: { code, message, status, ...(details.length ? { details } : {}) } });
}

function openAiError(
  call: Call,
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
  headers: Record<string, string> = {},
) {
  sendJson(call, status, { error: { message, type, param, code } }, headers);
}

function service(api: FakeApi): string {
  return api === 'gemini' ? 'generativelanguage.googleapis.com' : 'texttospeech.googleapis.com';
}

function invalidKey(call: Call) {
  if (call.api === 'openai') {
    const masked =
      call.key.length > 8 ? `${call.key.slice(0, 3)}${'*'.repeat(12)}${call.key.slice(-4)}` : '***';
    return openAiError(
      call,
      401,
      `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      'invalid_request_error',
      'invalid_api_key',
    );
  }
  googleError(call, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: service(call.api) },
    },
    {
      '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
      locale: 'en-US',
      message: 'API key not valid. Please pass a valid API key.',
    },
  ]);
}

/**
 * A 429. `limit` says which rate limit was hit (requests per minute or per day) and `retryDelaySeconds`
 * when to retry; without one it is OpenAI's "out of credit" answer (no retry), Google's the same.
 */
function overQuota(call: Call, retryDelaySeconds: number, limit?: 'minute' | 'day') {
  if (call.api === 'openai') {
    if (!limit)
      return openAiError(
        call,
        429,
        'You exceeded your current quota, please check your plan and billing details.',
        'insufficient_quota',
        'insufficient_quota',
      );
    return openAiError(
      call,
      429,
      `Rate limit reached for requests per ${limit === 'day' ? 'day (RPD)' : 'min (RPM)'}. Please try again in ${retryDelaySeconds}s.`,
      'requests',
      'rate_limit_exceeded',
      null,
      { 'retry-after': String(retryDelaySeconds), 'retry-after-ms': String(retryDelaySeconds * 1000) },
    );
  }
  const message =
    call.api === 'gemini'
      ? 'You exceeded your current quota, please check your plan and billing details.'
      : `Quota exceeded for quota metric 'Requests' and limit 'Requests per ${limit === 'day' ? 'day' : 'minute'}' of service 'texttospeech.googleapis.com'.`;
  googleError(call, 429, 'RESOURCE_EXHAUSTED', message, [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'googleapis.com',
      metadata: { service: service(call.api) },
    },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryDelaySeconds}s` },
  ]);
}

function internalError(call: Call) {
  if (call.api === 'openai')
    return openAiError(
      call,
      500,
      'The server had an error while processing your request. Sorry about that!',
      'server_error',
      null,
    );
  googleError(call, 500, 'INTERNAL', 'Internal error encountered.');
}

function notFound(call: Call, message = 'Not found') {
  if (call.api === 'openai') return openAiError(call, 404, message, 'invalid_request_error', 'not_found');
  googleError(call, 404, 'NOT_FOUND', message);
}

/** Sends headers and half the body, then drops the connection. */
function cutOff(call: Call, contentType: string, body: Buffer) {
  deliver(call, 200, () => {
    call.res.writeHead(200, { 'content-type': contentType, 'content-length': String(body.length) });
    call.res.write(body.subarray(0, Math.floor(body.length / 2)), () => call.res.socket?.destroy());
  });
}

// ---------------------------------------------------------------------------------------------------
// Gemini API.

function geminiText(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  return parts
    .map((p) => (typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
    .join('');
}

function geminiGenerate(call: Call, model: string, fault: Fault | undefined) {
  const known = geminiModels.some((m) => m.name === model);
  if (!known)
    return googleError(
      call,
      404,
      'NOT_FOUND',
      `models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
    );
  const body = call.body as {
    contents?: Array<{ parts?: unknown }>;
    systemInstruction?: { parts?: unknown };
    generationConfig?: {
      maxOutputTokens?: number;
      responseModalities?: string[];
      speechConfig?: { voiceConfig?: { prebuiltVoiceConfig?: { voiceName?: string } } };
    };
  };
  const prompt = (body.contents ?? []).map((c) => geminiText(c.parts)).join('\n');
  const system = geminiText(body.systemInstruction?.parts);
  const config = body.generationConfig ?? {};
  const audio = (config.responseModalities ?? []).some((m) => m.toUpperCase() === 'AUDIO');
  const ttsModel = model.endsWith('-tts');
  if (audio !== ttsModel)
    return googleError(
      call,
      400,
      'INVALID_ARGUMENT',
      `Model ${model} does not support the requested response modality: ${audio ? 'AUDIO' : 'TEXT'}.`,
    );
  if (isTranscription(call.api, call.path, call.body)) {
    const answer = geminiTranscription(call.body, model, call.transcripts, fault?.kind);
    call.work = {
      tokens: (answer.usageMetadata as { candidatesTokenCount?: number }).candidatesTokenCount ?? 0,
    };
    return sendJson(call, 200, answer);
  }
  if (!prompt.trim())
    return googleError(call, 400, 'INVALID_ARGUMENT', '* contents: contents is not specified');
  const promptTokenCount = tokensFor(countWords(`${system} ${prompt}`));
  const hash = hashOf(model, system, prompt);

  if (audio) {
    const voice = config.speechConfig?.voiceConfig?.prebuiltVoiceConfig?.voiceName ?? 'Kore';
    if (!isGeminiVoice(voice))
      return googleError(
        call,
        400,
        'INVALID_ARGUMENT',
        `Voice name ${voice} is not supported. Please use a prebuilt voice.`,
      );
    if (fault?.kind === 'safety')
      return sendJson(call, 200, {
        candidates: [{ finishReason: 'PROHIBITED_CONTENT', index: 0 }],
        usageMetadata: { promptTokenCount, totalTokenCount: promptTokenCount },
        modelVersion: model,
      });
    call.entry.settings = { prompt };
    call.work = { chars: [...prompt].length };
    const pcm = tone(hashOf(hash, voice), [...prompt].length * call.options.msPerChar, 24_000);
    call.transcripts.remember(pcm, spokenText(prompt));
    const answer = Buffer.from(
      JSON.stringify({
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { inlineData: { mimeType: 'audio/L16;codec=pcm;rate=24000', data: pcm.toString('base64') } },
              ],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: {
          promptTokenCount,
          candidatesTokenCount: Math.ceil((pcm.length / 2 / 24_000) * 25),
          totalTokenCount: promptTokenCount + Math.ceil((pcm.length / 2 / 24_000) * 25),
        },
        modelVersion: model,
        responseId: hash.slice(0, 22),
      }),
    );
    if (fault?.kind === 'truncate') return cutOff(call, 'application/json; charset=UTF-8', answer);
    return send(call, 200, 'application/json; charset=UTF-8', answer);
  }

  if (fault?.kind === 'safety')
    return sendJson(call, 200, {
      promptFeedback: {
        blockReason: 'SAFETY',
        safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }],
      },
      usageMetadata: { promptTokenCount, totalTokenCount: promptTokenCount },
      modelVersion: model,
    });
  const { text, finish } = answerText(hash, prompt, config.maxOutputTokens, fault?.kind);
  const candidatesTokenCount = tokensFor(countWords(text));
  call.work = { tokens: candidatesTokenCount };
  sendJson(call, 200, {
    candidates: [
      {
        content: { role: 'model', parts: [{ text }] },
        finishReason: finish === 'length' ? 'MAX_TOKENS' : 'STOP',
        index: 0,
      },
    ],
    usageMetadata: {
      promptTokenCount,
      candidatesTokenCount,
      totalTokenCount: promptTokenCount + candidatesTokenCount,
    },
    modelVersion: model,
    responseId: hash.slice(0, 22),
  });
}

/**
 * The reply for a prompt: the words asked for, in the language asked for, cut at the token budget (or
 * halved, or in another language, by a fault).
 */
function answerText(hash: string, prompt: string, maxTokens: number | undefined, fault?: FaultKind) {
  const titles = /^Translate these (\d+) headings/.exec(prompt);
  if (titles)
    return { text: headings(hash, Number(titles[1]), languageAsked(prompt)), finish: 'stop' as const };
  const truncate = fault === 'truncate';
  const words = wantedWords(prompt);
  const asked = languageAsked(prompt);
  const language = fault === 'wrong-language' ? (asked === 'pt' ? 'en' : 'pt') : asked;
  const full = prose(hash, words, language);
  const budget = maxTokens && maxTokens > 0 ? Math.floor(maxTokens / 1.3) : Number.POSITIVE_INFINITY;
  const limit = Math.min(budget, truncate ? Math.max(1, Math.floor(words / 2)) : Number.POSITIVE_INFINITY);
  if (limit >= words) return { text: full, finish: 'stop' as const };
  return { text: firstWords(full, Math.max(1, limit)), finish: 'length' as const };
}

function gemini(call: Call, fault: Fault | undefined) {
  if (call.method === 'GET' && /^\/v1(beta)?\/models$/.test(call.path))
    return sendJson(call, 200, {
      models: geminiModels.map((m) => ({
        name: `models/${m.name}`,
        version: '001',
        displayName: m.displayName,
        inputTokenLimit: 1048576,
        outputTokenLimit: m.name.endsWith('-tts') ? 16384 : 65536,
        supportedGenerationMethods: ['generateContent', 'countTokens'],
      })),
    });
  const generate = /^\/v1(?:beta)?\/models\/([^/:]+):generateContent$/.exec(call.path);
  if (call.method === 'POST' && generate)
    return geminiGenerate(call, decodeURIComponent(generate[1] ?? ''), fault);
  notFound(call);
}

// ---------------------------------------------------------------------------------------------------
// Google Cloud Text-to-Speech (REST).

const encodings: Record<string, string> = {
  '1': 'LINEAR16',
  '2': 'MP3',
  '3': 'OGG_OPUS',
  '5': 'MULAW',
  '6': 'ALAW',
};

function googleTts(call: Call, fault: Fault | undefined) {
  if (call.method === 'GET' && call.path === '/v1/voices') {
    const language = call.query.get('languageCode')?.toLowerCase();
    const voices = googleVoices.filter(
      (v) =>
        !language ||
        v.languageCodes.some(
          (l) => l.toLowerCase() === language || l.toLowerCase().split('-')[0] === language,
        ),
    );
    return sendJson(call, 200, { voices });
  }
  if (call.method !== 'POST' || call.path !== '/v1/text:synthesize') return notFound(call);
  const body = call.body as {
    input?: { text?: string; ssml?: string };
    voice?: { languageCode?: string; name?: string };
    audioConfig?: {
      audioEncoding?: string | number;
      sampleRateHertz?: number;
      speakingRate?: number;
      pitch?: number;
      volumeGainDb?: number;
    };
  };
  const text = body.input?.text ?? body.input?.ssml ?? '';
  if (!text)
    return googleError(call, 400, 'INVALID_ARGUMENT', 'Either `input.text` or `input.ssml` must be set.');
  if (Buffer.byteLength(text, 'utf8') > 5000)
    return googleError(
      call,
      400,
      'INVALID_ARGUMENT',
      'Either `input.text` or `input.ssml` is longer than the limit of 5000 bytes. This limit is different from quotas. To fix, reduce the byte length of the characters in this request, or consider using the Long Audio API.',
    );
  const encoding =
    encodings[String(body.audioConfig?.audioEncoding)] ?? String(body.audioConfig?.audioEncoding ?? '');
  if (encoding !== 'LINEAR16')
    return googleError(
      call,
      400,
      'INVALID_ARGUMENT',
      encoding && encoding !== 'undefined' && encoding !== '0'
        ? `This stand-in only produces LINEAR16 audio, not ${encoding}.`
        : 'audio_config.audio_encoding is required.',
    );
  const languageCode = body.voice?.languageCode ?? '';
  call.entry.voice = body.voice?.name;
  const voice = body.voice?.name
    ? googleVoices.find((v) => v.name === body.voice?.name)
    : googleVoices.find((v) => v.languageCodes.some((l) => l.toLowerCase() === languageCode.toLowerCase()));
  if (!voice)
    return googleError(
      call,
      400,
      'INVALID_ARGUMENT',
      body.voice?.name
        ? `Voice '${body.voice.name}' does not exist. Is it misspelled?`
        : `Voice with languageCode '${languageCode}' does not exist.`,
    );
  if (fault?.kind === 'safety')
    return googleError(
      call,
      400,
      'INVALID_ARGUMENT',
      'The request contains sensitive or harmful content and was blocked by the safety filters.',
    );
  const { speakingRate, pitch, volumeGainDb } = body.audioConfig ?? {};
  const ssml = body.input?.ssml;
  call.entry.settings = Object.fromEntries(
    Object.entries({ speakingRate, pitch, volumeGainDb, ssml }).filter(([, v]) => v !== undefined),
  );
  if (speakingRate !== undefined && (speakingRate < 0.25 || speakingRate > 2))
    return googleError(call, 400, 'INVALID_ARGUMENT', 'speaking_rate must be in the range [0.25, 2.0].');
  if (voice.name.includes('-Chirp3-HD-') && (ssml !== undefined || pitch !== undefined))
    return googleError(
      call,
      400,
      'INVALID_ARGUMENT',
      `Voice '${voice.name}' does not support ${ssml !== undefined ? 'SSML input' : 'pitch parameters'}.`,
    );
  // SSML is read without its tags, and each break is that much silence.
  const spoken = ssml === undefined ? text : ssml.replace(/<[^>]*>/g, '');
  const breakMs = [...(ssml ?? '').matchAll(/<break time="(\d+)ms"\/>/g)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
  call.work = { chars: [...spoken].length };
  const ms = ([...spoken].length * call.options.msPerChar) / (speakingRate || 1) + breakMs;
  const rate = body.audioConfig?.sampleRateHertz || voice.naturalSampleRateHertz;
  const audio = wav(tone(hashOf(voice.name, text), ms, rate), rate);
  call.transcripts.remember(audio, ssml === undefined ? text : ssmlText(ssml));
  const answer = Buffer.from(JSON.stringify({ audioContent: audio.toString('base64') }));
  if (fault?.kind === 'truncate') return cutOff(call, 'application/json; charset=UTF-8', answer);
  send(call, 200, 'application/json; charset=UTF-8', answer);
}

// ---------------------------------------------------------------------------------------------------
// OpenAI.

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p as { text?: string }).text ?? '').join('');
  return '';
}

function openAi(call: Call, fault: Fault | undefined) {
  if (call.method === 'GET' && call.path === '/v1/models')
    return sendJson(call, 200, {
      object: 'list',
      data: openAiModels.map((id) => ({ id, object: 'model', created: 1721172741, owned_by: 'system' })),
    });
  if (call.method === 'POST' && call.path === '/v1/chat/completions') return openAiChat(call, fault);
  if (call.method === 'POST' && call.path === '/v1/audio/speech') return openAiSpeech(call, fault);
  if (call.method === 'POST' && call.path === '/v1/audio/transcriptions')
    return openAiTranscribe(call, fault);
  notFound(call, `Invalid URL (${call.method} ${call.path})`);
}

function openAiChat(call: Call, fault: Fault | undefined) {
  const body = call.body as {
    model?: string;
    messages?: Array<{ role?: string; content?: unknown }>;
    max_completion_tokens?: number;
    max_tokens?: number;
  };
  const model = body.model ?? '';
  if (!openAiModels.includes(model) || openAiSpeechModels.has(model))
    return openAiError(
      call,
      404,
      `The model \`${model}\` does not exist or you do not have access to it.`,
      'invalid_request_error',
      'model_not_found',
    );
  const messages = body.messages ?? [];
  if (!messages.length)
    return openAiError(
      call,
      400,
      "Missing required parameter: 'messages'.",
      'invalid_request_error',
      'missing_required_parameter',
      'messages',
    );
  const system = messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => messageText(m.content))
    .join('\n');
  const prompt = messages
    .filter((m) => m.role === 'user')
    .map((m) => messageText(m.content))
    .join('\n');
  const hash = hashOf(model, system, prompt);
  const promptTokens = tokensFor(countWords(`${system} ${prompt}`));
  let text: string;
  let finish: string;
  if (fault?.kind === 'safety') {
    text = '';
    finish = 'content_filter';
  } else {
    const answer = answerText(hash, prompt, body.max_completion_tokens ?? body.max_tokens, fault?.kind);
    text = answer.text;
    finish = answer.finish;
  }
  const completionTokens = tokensFor(countWords(text));
  call.work = { tokens: completionTokens };
  sendJson(call, 200, {
    id: `chatcmpl-${hash.slice(0, 29)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
    service_tier: 'default',
    system_fingerprint: `fp_${hash.slice(0, 10)}`,
  });
}

function openAiSpeech(call: Call, fault: Fault | undefined) {
  const body = call.body as {
    model?: string;
    input?: string;
    voice?: string;
    response_format?: string;
    speed?: number;
  };
  const model = body.model ?? '';
  if (!openAiSpeechModels.has(model))
    return openAiError(
      call,
      404,
      `The model \`${model}\` does not exist or you do not have access to it.`,
      'invalid_request_error',
      'model_not_found',
    );
  const input = body.input ?? '';
  if (!input)
    return openAiError(
      call,
      400,
      "Missing required parameter: 'input'.",
      'invalid_request_error',
      'missing_required_parameter',
      'input',
    );
  if ([...input].length > 4096)
    return openAiError(
      call,
      400,
      'String should have at most 4096 characters',
      'invalid_request_error',
      'string_too_long',
      'input',
    );
  const voice = body.voice ?? '';
  if (!openAiVoiceNames.includes(voice))
    return openAiError(
      call,
      400,
      `Invalid value: '${voice}'. Supported values are: ${openAiVoiceNames.map((v) => `'${v}'`).join(', ')}.`,
      'invalid_request_error',
      'invalid_value',
      'voice',
    );
  if (fault?.kind === 'safety')
    return openAiError(
      call,
      400,
      'Your request was rejected as a result of our safety system.',
      'invalid_request_error',
      'content_policy_violation',
    );
  const format = body.response_format ?? 'mp3';
  if (format !== 'wav' && format !== 'pcm')
    return openAiError(
      call,
      400,
      `This stand-in only produces wav and pcm audio, not ${format}.`,
      'invalid_request_error',
      'invalid_value',
      'response_format',
    );
  const speed = body.speed ?? 1;
  call.entry.settings = body.speed === undefined ? {} : { speed };
  if (speed < 0.25 || speed > 4)
    return openAiError(
      call,
      400,
      `Invalid 'speed': expected a value from 0.25 to 4, but got ${speed} instead.`,
      'invalid_request_error',
      'invalid_value',
      'speed',
    );
  call.work = { chars: [...input].length };
  const pcm = tone(hashOf(model, voice, input), ([...input].length * call.options.msPerChar) / speed, 24_000);
  call.transcripts.remember(pcm, input);
  const audio = format === 'wav' ? wav(pcm, 24_000) : pcm;
  const type = format === 'wav' ? 'audio/wav' : 'audio/pcm';
  if (fault?.kind === 'truncate') return cutOff(call, type, audio);
  send(call, 200, type, audio, { 'content-length': String(audio.length) });
}

async function openAiTranscribe(call: Call, fault: Fault | undefined) {
  const { status, body } = await openAiTranscription(
    call.raw,
    call.contentType,
    call.transcripts,
    fault?.kind,
  );
  if (status === 200)
    call.work = { tokens: tokensFor(countWords(String((body as { text?: unknown }).text ?? ''))) };
  if (status === 200 && fault?.kind === 'truncate')
    return cutOff(call, 'application/json', Buffer.from(JSON.stringify(body)));
  sendJson(call, status, body);
}

// ---------------------------------------------------------------------------------------------------
// The server.

/** Which API a request is for: OpenAI sends a bearer token, Google an x-goog-api-key header. */
function apiOf(path: string, bearer: boolean): FakeApi | 'unknown' {
  if (bearer) return 'openai';
  if (path === '/v1/text:synthesize' || path === '/v1/voices') return 'google-tts';
  // The Gemini API answers on v1 (the SDK's default) and v1beta alike.
  if (/^\/v1(beta)?\/models(\/|$)/.test(path)) return 'gemini';
  if (path.startsWith('/v1/')) return 'openai';
  return 'unknown';
}

function isPaid(api: FakeApi, method: string, path: string): boolean {
  if (method !== 'POST') return false;
  if (api === 'gemini') return path.endsWith(':generateContent');
  if (api === 'google-tts') return path === '/v1/text:synthesize';
  return ['/v1/chat/completions', '/v1/audio/speech', '/v1/audio/transcriptions'].includes(path);
}

export async function startFakeProviders(options: FakeProvidersOptions = {}): Promise<FakeProviders> {
  const settings: Call['options'] = {
    port: options.port ?? 0,
    latencyMs: options.latencyMs ?? 0,
    msPerChar: options.msPerChar ?? 20,
    retryDelaySeconds: options.retryDelaySeconds ?? 7,
    latency: options.latency,
  };
  const requests: FakeRequest[] = [];
  const quota = new QuotaLimiter(options.quota);
  const faults: Array<Fault & { left: number }> = [];

  const transcripts = new Transcripts();

  const takeFault = (
    api: FakeApi,
    paid: boolean,
    transcription: boolean,
    body: string,
  ): Fault | undefined => {
    const i = faults.findIndex(
      (f) =>
        (!f.api || f.api === api) &&
        (paid || f.calls === 'all') &&
        (f.kind !== 'drop-words' || transcription) &&
        (!f.matching || body.includes(f.matching)),
    );
    if (i < 0) return undefined;
    const fault = faults[i] as Fault & { left: number };
    fault.left -= 1;
    if (fault.left <= 0) faults.splice(i, 1);
    return fault;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '');
    const key = bearer ?? String(req.headers['x-goog-api-key'] ?? url.searchParams.get('key') ?? '');
    const method = req.method ?? 'GET';
    const api = apiOf(url.pathname, bearer !== undefined);
    const paid = api !== 'unknown' && isPaid(api, method, url.pathname);
    const entry: FakeRequest = {
      api,
      method,
      path: url.pathname,
      key,
      status: 0,
      bodyHash: hashOf(url.pathname, raw.toString('utf8')).slice(0, 16),
      excerpt: raw.toString('utf8').slice(0, 200),
      at: Date.now(),
      completed: false,
      paid,
    };
    requests.push(entry);
    res.on('finish', () => {
      if (paid && entry.status === 200) entry.completed = true;
    });
    res.on('close', () => {
      entry.closedAt = Date.now();
    });
    if (api === 'unknown') {
      entry.status = 404;
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }));
    }
    let body: Record<string, unknown> = {};
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        body = {};
      }
    }
    const call: Call = {
      api,
      method,
      path: url.pathname,
      query: url.searchParams,
      key,
      body,
      hash: entry.bodyHash,
      entry,
      res,
      options: settings,
      raw,
      contentType: String(req.headers['content-type'] ?? ''),
      transcripts,
    };

    // The quota is checked on arrival, before any work, and refuses without using a fault.
    const refusal = paid && key.startsWith('valid-') ? quota.admit(api, key, entry.at) : undefined;
    if (refusal) {
      entry.quota = refusal.limit;
      return overQuota(call, refusal.retryDelaySeconds, refusal.limit);
    }
    const fault = takeFault(api, paid, isTranscription(api, call.path, body), raw.toString('utf8'));
    if (fault) entry.fault = fault.kind;
    const delay =
      (paid ? settings.latencyMs : 0) + (fault?.kind === 'latency' ? (fault.latencyMs ?? 1000) : 0);
    if (delay > 0) await sleep(delay);
    if (res.destroyed || req.socket.destroyed) return;

    switch (fault?.kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case '429':
        return overQuota(call, fault.retryDelaySeconds ?? settings.retryDelaySeconds, 'minute');
      case '500':
        return internalError(call);
      case 'invalid-key':
        return invalidKey(call);
    }
    if (key.startsWith('quota-')) return overQuota(call, settings.retryDelaySeconds);
    if (!key.startsWith('valid-')) return invalidKey(call);
    if (api === 'gemini') return gemini(call, fault);
    if (api === 'google-tts') return googleTts(call, fault);
    return openAi(call, fault);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(err));
        }
      });
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  server.listen(settings.port, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    env: { GEMINI_BASE_URL: url, GOOGLE_TTS_BASE_URL: url, OPENAI_BASE_URL: `${url}/v1` },
    requests,
    inject(fault: Fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    clearFaults() {
      faults.length = 0;
    },
    setLatency(ms: number) {
      settings.latencyMs = ms;
    },
    setLatencyProfile(profile: LatencyProfile | undefined) {
      settings.latency = profile;
    },
    setQuota(q: Quota) {
      quota.quota = q;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
