import { EspeakTtsProvider, type TtsProvider } from '@bolt/activities';
import { languageTag } from '@bolt/core';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { parse } from '../http.ts';
import type { RouteDoc } from '../openapi.ts';

export const voicesQuery = z.object({
  provider: z.enum(['espeak']).default('espeak'),
  language: languageTag.optional(),
});

export const voiceDocs: Record<string, RouteDoc> = {
  'GET /api/tts/voices': {
    summary: "A TTS provider's voices, optionally for one language",
    query: voicesQuery,
  },
};

/** Voice lists per provider; each provider caches its own list after the first call. */
export function voiceLister(espeakPath: string) {
  const providers: Record<z.infer<typeof voicesQuery>['provider'], TtsProvider> = {
    espeak: new EspeakTtsProvider(espeakPath),
  };
  return async (ctx: Context) => {
    const q = parse(voicesQuery, ctx.query);
    ctx.body = { provider: q.provider, items: await providers[q.provider].listVoices(q.language) };
  };
}

export function voiceRoutes(list: ReturnType<typeof voiceLister>): Router {
  return new Router().get('/tts/voices', list);
}
