import { type Engines, ttsCredential } from '@bolt/activities/providers';
import {
  type Agent,
  type CredentialProvider,
  languageTag,
  type TtsProviderName,
  ttsProviders,
  voiceSettingsSchema,
} from '@bolt/core';
import Router from '@koa/router';
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
  },
  'POST /api/tts/preview': { summary: 'A short spoken sample of a voice', body: previewBody },
};

export type VoiceCatalog = ReturnType<typeof voiceCatalog>;

export interface VoiceCatalogDeps {
  engines: Engines;
  /** The user's first key for a provider (or the server's), for listing voices that need one. */
  keyFor(userId: string, provider: CredentialProvider): Promise<string | undefined>;
}

/** The TTS providers' voices: listing, checking agents' voice choices, previews (with the user's key). */
export function voiceCatalog({ engines, keyFor }: VoiceCatalogDeps) {
  const provider = async (userId: string, name: TtsProviderName) => {
    const credential = ttsCredential[name];
    const key = credential ? await keyFor(userId, credential) : '';
    return key === undefined ? undefined : engines.tts({ tts_provider: name }, key);
  };
  const needKey = (name: TtsProviderName): never => {
    throw new HttpError(400, 'missing_credential', `Add a ${name} key under Credentials to list its voices`);
  };
  return {
    async list(ctx: Context) {
      const q = parse(voicesQuery, ctx.query);
      const tts = (await provider(ctx.state.user.id, q.provider)) ?? needKey(q.provider);
      ctx.body = { provider: q.provider, items: await tts.listVoices(q.language) };
    },
    async preview(ctx: Context) {
      const p = parse(previewBody, ctx.request.body);
      const userId = ctx.state.user.id as string;
      await this.check(userId, {
        tts_provider: p.provider,
        default_voices: p.voice ? { [p.language]: p.voice } : {},
      });
      const tts = (await provider(userId, p.provider)) ?? needKey(p.provider);
      const { audio, format } = await tts.synthesize({
        text: p.text,
        language: p.language,
        voice: p.voice,
        settings: p.settings,
      });
      ctx.type = format === 'mp3' ? 'audio/mpeg' : format === 'wav' ? 'audio/wav' : 'audio/L16';
      ctx.body = audio;
    },
    /**
     * 400 naming each `default_voices.<language>` whose voice the agent's provider does not have. A
     * provider whose list needs a key the user has not added yet is checked when the job runs.
     */
    async check(userId: string, agent: Pick<Agent, 'tts_provider' | 'default_voices'>) {
      const tts = await provider(userId, agent.tts_provider);
      if (!tts || Object.keys(agent.default_voices).length === 0) return;
      const names = new Set((await tts.listVoices()).flatMap((v) => [v.name, ...v.languages]));
      const unknown = Object.entries(agent.default_voices)
        .filter(([, voice]) => !names.has(voice))
        .map(([language, voice]) => ({
          field: `default_voices.${language}`,
          message: `${agent.tts_provider} has no voice "${voice}"`,
        }));
      if (unknown.length > 0) {
        throw new HttpError(
          400,
          'invalid_request',
          `Invalid request: ${unknown.map((u) => `${u.field}: ${u.message}`).join('; ')}`,
          unknown,
        );
      }
    },
  };
}

export function voiceRoutes(voices: VoiceCatalog): Router {
  return new Router()
    .get('/tts/voices', (ctx) => voices.list(ctx))
    .post('/tts/preview', (ctx) => voices.preview(ctx));
}
