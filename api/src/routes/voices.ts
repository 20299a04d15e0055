import { EspeakTtsProvider, type TtsProvider } from '@bolt/activities';
import { type Agent, languageTag } from '@bolt/core';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { HttpError, parse } from '../http.ts';
import type { RouteDoc } from '../openapi.ts';

export const voicesQuery = z.object({
  provider: z.enum(['espeak']).default('espeak'),
  language: languageTag.optional(),
});
const previewBody = z.object({
  provider: z.enum(['espeak']).default('espeak'),
  language: languageTag,
  voice: z.string().max(200).optional(),
  text: z.string().trim().min(1).max(300),
});

export const voiceDocs: Record<string, RouteDoc> = {
  'GET /api/tts/voices': {
    summary: "A TTS provider's voices, optionally for one language",
    query: voicesQuery,
  },
  'POST /api/tts/preview': { summary: 'A short spoken sample of a voice (audio/wav)', body: previewBody },
};

export type VoiceCatalog = ReturnType<typeof voiceCatalog>;

/** The TTS providers' voices: listing (each provider caches its list), checking agents, previews. */
export function voiceCatalog(espeakPath: string) {
  const providers: Record<Agent['tts_provider'], TtsProvider> = { espeak: new EspeakTtsProvider(espeakPath) };
  return {
    async list(ctx: Context) {
      const q = parse(voicesQuery, ctx.query);
      ctx.body = { provider: q.provider, items: await providers[q.provider].listVoices(q.language) };
    },
    async preview(ctx: Context) {
      const p = parse(previewBody, ctx.request.body);
      await this.check({
        tts_provider: p.provider,
        default_voices: p.voice ? { [p.language]: p.voice } : {},
      });
      const { audio, format } = await providers[p.provider].synthesize({
        text: p.text,
        language: p.language,
        voice: p.voice,
      });
      ctx.type = format === 'wav' ? 'audio/wav' : 'audio/mpeg';
      ctx.body = audio;
    },
    /** 400 naming each `default_voices.<language>` whose voice the agent's provider does not have. */
    async check(agent: Pick<Agent, 'tts_provider' | 'default_voices'>) {
      const names = new Set(
        (await providers[agent.tts_provider].listVoices()).flatMap((v) => [v.name, ...v.languages]),
      );
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
