import {
  type Engines,
  type KeyRing,
  ProviderError,
  retryQuickly,
  ttsCredential,
  type Voice,
} from '@bolt/activities/providers';
import {
  type CredentialProvider,
  credentialProviderNames,
  failureTypes,
  isGoogleVoiceName,
  languageTag,
  type SavedAgent,
  type StepQuota,
  type TtsProviderName,
  ttsProviders,
  type VoiceCheck,
  voiceListSchema,
  voiceSettingsSchema,
  withProviders,
} from '@bolt/core';
import Router from '@koa/router';
import { ApplicationFailure } from '@temporalio/common';
import type { Context } from 'koa';
import { z } from 'zod';
import { HttpError, parse } from '../http.ts';
import type { RouteDoc } from '../openapi.ts';

export const voicesQuery = z.object({
  provider: z.enum(ttsProviders).default('espeak'),
  language: languageTag.optional(),
});
const previewBody = z.object({
  provider: z.enum(ttsProviders).default('espeak'),
  language: languageTag,
  voice: z.string().max(200).optional(),
  text: z.string().trim().min(1).max(300),
  /** The agent's voice settings for the language, as the form holds them. */
  settings: voiceSettingsSchema.optional(),
});

export const voiceDocs: Record<string, RouteDoc> = {
  'GET /api/tts/voices': {
    summary: "A TTS provider's voices, optionally for one language (Google's need one of your keys)",
    query: voicesQuery,
    provider: true,
    response: voiceListSchema,
  },
  'POST /api/tts/preview': {
    summary: 'A short spoken sample of a voice (MP3, WAV or 16-bit PCM, as the provider answers)',
    body: previewBody,
    produces: 'audio/*',
    provider: true,
  },
};

export type VoiceCatalog = ReturnType<typeof voiceCatalog>;

/** How long a preview may wait for its turn on a key before the API answers that the keys are busy. */
const PREVIEW_WAIT_MS = 15_000;

/** A wait longer than a person should hold on for, said as the provider's rate limit would be. */
function quotaBusy(err: unknown, provider: CredentialProvider): unknown {
  if (!(err instanceof ApplicationFailure) || err.type !== failureTypes.QuotaWait) return err;
  const nextAt = (err.details?.[0] as StepQuota | undefined)?.nextAt ?? new Date().toISOString();
  return new ProviderError({
    kind: 'rate-limited',
    provider,
    message: `Every ${credentialProviderNames[provider]} key is busy until ${nextAt}`,
    retryAfterMs: Math.max(0, Date.parse(nextAt) - Date.now()),
  });
}

export interface VoiceCatalogDeps {
  engines: Engines;
  /** The users' keys and their quota queue. */
  keys: KeyRing;
  /** The user's first key for a provider (or the server's), for listing voices that need one. */
  keyFor(userId: string, provider: CredentialProvider): Promise<string | undefined>;
}

/** A 400 naming each `default_voices.<language>` the provider does not have. */
export const unknownVoices = (check: VoiceCheck) =>
  new HttpError(400, 'invalid_request', `Invalid request: ${check.reason}`, check.fields);

/** The TTS providers' voices: listing, checking agents' voice choices, previews (with the user's key). */
export function voiceCatalog({ engines, keyFor, keys }: VoiceCatalogDeps) {
  const provider = async (userId: string, name: TtsProviderName) => {
    const credential = ttsCredential[name];
    const key = credential ? await keyFor(userId, credential) : '';
    return key === undefined ? undefined : engines.tts({ tts_provider: name }, key);
  };
  const needKey = (name: TtsProviderName): never => {
    throw new HttpError(400, 'missing_credential', `Add a ${name} key under Credentials to list its voices`);
  };
  /**
   * Checks an agent's voices against its provider's list. Only a list the provider gave is a verdict:
   * a provider that is rate-limited, failing or unreachable leaves the voices to be checked later.
   */
  async function check(
    userId: string,
    saved: Pick<SavedAgent, 'tts_provider' | 'default_voices'>,
  ): Promise<VoiceCheck> {
    if (Object.keys(saved.default_voices).length === 0) return { status: 'checked' };
    // No provider chosen: checked against the one a job would choose now (see withProviders).
    const agent = withProviders(saved, {
      gemini: false,
      'google-tts': saved.tts_provider === undefined && (await keyFor(userId, 'google-tts')) !== undefined,
    });
    const googleVoices = Object.values(saved.default_voices).filter(isGoogleVoiceName);
    if (agent.tts_provider !== 'google' && saved.tts_provider === undefined && googleVoices.length > 0)
      return {
        status: 'not_checked',
        reason: `Add a ${credentialProviderNames['google-tts']} key under Keys to check ${googleVoices.join(', ')}; until then the embedded voices speak`,
      };
    const tts = await provider(userId, agent.tts_provider);
    const credential = ttsCredential[agent.tts_provider];
    if (!tts)
      return {
        status: 'not_checked',
        reason: `Add a ${credential ? credentialProviderNames[credential] : agent.tts_provider} key under Keys to check the voices`,
      };
    let voices: Voice[];
    try {
      // One quick try: saving is not held up, the check is made again later.
      voices = await retryQuickly(tts.name, () => tts.listVoices(), { attempts: 1, timeoutMs: 10_000 });
    } catch (err) {
      if (!(err instanceof ProviderError) || err.kind === 'unsupported-voice') throw err;
      return { status: 'not_checked', reason: err.message };
    }
    const names = new Set(voices.flatMap((v) => [v.name, ...v.languages]));
    const fields = Object.entries(agent.default_voices)
      .filter(([, voice]) => !names.has(voice))
      .map(([language, voice]) => ({
        field: `default_voices.${language}`,
        message: `${agent.tts_provider} has no voice "${voice}"`,
      }));
    if (fields.length === 0) return { status: 'checked' };
    return { status: 'invalid', reason: fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields };
  }
  return {
    check,
    async list(ctx: Context) {
      const q = parse(voicesQuery, ctx.query);
      const tts = (await provider(ctx.state.user.id, q.provider)) ?? needKey(q.provider);
      ctx.body = {
        provider: q.provider,
        items: await retryQuickly(tts.name, () => tts.listVoices(q.language)),
      } satisfies z.infer<typeof voiceListSchema>;
    },
    async preview(ctx: Context) {
      const p = parse(previewBody, ctx.request.body);
      const userId = ctx.state.user.id as string;
      const verdict = await check(userId, {
        tts_provider: p.provider,
        default_voices: p.voice ? { [p.language]: p.voice } : {},
      });
      if (verdict.status === 'invalid') throw unknownVoices(verdict);
      const credential = ttsCredential[p.provider];
      if (credential && (await keyFor(userId, credential)) === undefined) needKey(p.provider);
      const speak = (key: string) => {
        const tts = engines.tts({ tts_provider: p.provider }, key);
        return retryQuickly(
          tts.name,
          () => tts.synthesize({ text: p.text, language: p.language, voice: p.voice, settings: p.settings }),
          { kinds: ['transient'] },
        );
      };
      // Someone is listening for it: it goes ahead of batch work in the key's queue, and waits briefly.
      const { audio, format } = credential
        ? await keys
            .call(
              {
                userId,
                priority: 0,
                provider: credential,
                model: p.voice ?? 'default',
                need: { chars: p.text.length },
                waitUntil: Date.now() + PREVIEW_WAIT_MS,
              },
              speak,
            )
            .catch((err: unknown) => {
              throw quotaBusy(err, credential);
            })
        : await speak('');
      ctx.type = format === 'mp3' ? 'audio/mpeg' : format === 'wav' ? 'audio/wav' : 'audio/L16';
      ctx.body = audio;
    },
  };
}

export function voiceRoutes(voices: VoiceCatalog): Router {
  return new Router()
    .get('/tts/voices', (ctx) => voices.list(ctx))
    .post('/tts/preview', (ctx) => voices.preview(ctx));
}
