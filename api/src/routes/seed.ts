import {
  accountSchema,
  agentSchema,
  agentViewSchema,
  credentialViewSchema,
  jobStatuses,
  languageTag,
  MAX_VARIATIONS,
  newCredentialSchema,
  originalNames,
  originalVoice,
  storageKeys,
  userViewSchema,
  voiceListSchema,
  voiceSettingLimits,
  withOriginalVoice,
} from '@bolt/core';
import {
  createCredential,
  deleteAgent,
  deleteCredential,
  findAgentByName,
  getAgent,
  getOwnedJob,
  listAgents,
  listArtifacts,
  listCredentials,
  type Storage,
} from '@bolt/data';
import { agentForJob, type JobServices, jobProgress, startJobWithAgent } from '@bolt/jobs';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { authenticate, issueTokens, register, requireUser } from '../auth.ts';
import { idParam, notFound, parse } from '../http.ts';
import type { RouteDoc } from '../openapi.ts';
import type { LoginLimiter } from '../rate-limit.ts';
import { agentView, createAgent, recheckVoices, replaceAgent, voicesReady } from './agents.ts';
import { type VoiceCatalog, voicesQuery } from './voices.ts';

const seedKey = newCredentialSchema.pick({ key: true, label: true });
const tokenForm = z.object({ username: z.email(), password: z.string().min(1).max(200) });
const gerarRoteiro = z.object({
  titulo: z.string().trim().min(1).max(500),
  agent_id: z.string().min(1).optional(),
  agent_name: z.string().min(1).optional(),
  num_variacoes: z.coerce.number().int().min(1).max(MAX_VARIATIONS).default(1),
  idiomas: z.array(languageTag).min(1).max(30).optional(),
});

const perLanguage = (setting: 'rate' | 'pitch', what: string) => {
  const { min, max } = voiceSettingLimits[setting];
  const value = z.number().min(min).max(max);
  return z
    .union([value, z.record(languageTag, value)], {
      error: `must be a number from ${min} to ${max}, or one per language such as { "pt-BR": ${max / 4} }`,
    })
    .optional()
    .describe(`${what}: one number for every language of the agent, or one per language`);
};

/**
 * An agent as the original system's clients send it: `idioma` and `idiomas_alvo`, and the speaking
 * speed and pitch Google Cloud TTS took (`speaking_rate`, `pitch`), which become the voice settings.
 */
const seedAgentBody = agentSchema.omit({ language: true, target_languages: true }).extend({
  idioma: agentSchema.shape.language,
  idiomas_alvo: agentSchema.shape.target_languages,
  speaking_rate: perLanguage('rate', 'Speaking rate, 1 the voice as it is (0.25–4)'),
  pitch: perLanguage('pitch', 'Semitones above or below the voice (−20–20)'),
});

/** The body under the original names (Bolt's are taken too; an original one wins when both are given). */
function underOriginalNames(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...input };
  for (const english of ['language', 'target_languages'] as const) {
    const original = originalNames[english];
    if (english in out && !(original in out)) out[original] = out[english];
    delete out[english];
  }
  return out;
}

/** A request body in the original shape as Bolt's agent; validation errors name the original fields. */
function fromSeedAgent(input: unknown) {
  const { idioma, idiomas_alvo, speaking_rate, pitch, ...rest } = parse(
    seedAgentBody,
    underOriginalNames(input),
  );
  const languages = [idioma, ...idiomas_alvo];
  const voice_settings = withOriginalVoice(rest.voice_settings, languages, { speaking_rate, pitch });
  return { ...rest, language: idioma, target_languages: idiomas_alvo, voice_settings };
}

/** An agent under the original system's names, with its speaking rate and pitch per language. */
const seedAgentView = agentViewSchema.omit({ language: true, target_languages: true }).extend({
  idioma: agentSchema.shape.language,
  idiomas_alvo: agentSchema.shape.target_languages,
  speaking_rate: z.record(z.string(), z.number()).describe('Per language, from the voice settings'),
  pitch: z.record(z.string(), z.number()).describe('Per language, from the voice settings'),
});

/** An agent under the original system's names, with its speaking rate and pitch per language. */
const seedAgent = ({
  language,
  target_languages,
  ...rest
}: ReturnType<typeof agentView>): z.infer<typeof seedAgentView> => ({
  ...rest,
  idioma: language,
  idiomas_alvo: target_languages,
  ...originalVoice(rest.voice_settings),
});

const ok = z.object({ ok: z.literal(true) });

/** The texts of one variation: the master script and, per adapted language, its script (null until written). */
const seedScripts = z.object({
  roteiro_master: z.string().nullable(),
  roteiros_adaptados: z.record(z.string(), z.string().nullable()),
});
/** A job in the original system's shape: texts inline, audio as download URLs. */
const seedJobView = seedScripts.extend({
  job_id: z.uuid(),
  status: z.enum(jobStatuses),
  titulo: z.string(),
  log: z.array(z.string()),
  resultado: z.string().nullable(),
  audios_gerados: z.record(z.string(), z.string()),
  chars_processados_tts: z.number().int(),
  duracao_total_segundos: z.number().int(),
  num_variacoes: z.number().int(),
  roteiros_por_variacao: z.array(seedScripts),
  audios_por_variacao: z.array(z.record(z.string(), z.string())),
});
const seedVariations = seedJobView.pick({
  job_id: true,
  num_variacoes: true,
  roteiros_por_variacao: true,
  audios_por_variacao: true,
});

export const seedDocs: Record<string, RouteDoc> = {
  'POST /token': {
    summary: 'Original system: OAuth2 password login',
    body: tokenForm,
    form: true,
    public: true,
    response: z.object({ access_token: z.string(), token_type: z.literal('bearer') }),
  },
  'POST /register': {
    summary: 'Original system: create an account',
    body: accountSchema,
    public: true,
    response: userViewSchema,
  },
  'GET /me/agents': { summary: "Original system: the user's agents", response: z.array(seedAgentView) },
  'POST /me/agents': {
    summary: 'Original system: create an agent',
    body: seedAgentBody,
    response: seedAgentView,
  },
  'GET /me/agents/:id': { summary: 'Original system: one agent', response: seedAgentView },
  'PUT /me/agents/:id': {
    summary: 'Original system: replace an agent',
    body: seedAgentBody,
    response: seedAgentView,
  },
  'DELETE /me/agents/:id': {
    summary: 'Original system: delete an agent (its jobs keep their snapshot)',
    response: ok,
  },
  'POST /gerar-roteiro': {
    summary: 'Original system: start a job',
    body: gerarRoteiro,
    response: z.object({ job_id: z.uuid(), status: z.literal('queued') }),
  },
  'GET /me/apikeys': {
    summary: 'Original system: Gemini keys (last4 only)',
    response: z.array(credentialViewSchema),
  },
  'POST /me/apikeys': {
    summary: 'Original system: add a Gemini key',
    body: seedKey,
    response: credentialViewSchema,
  },
  'DELETE /me/apikeys/:id': { summary: 'Original system: delete a Gemini key', response: ok },
  'GET /me/ttskeys': {
    summary: 'Original system: Google Cloud TTS keys (last4 only)',
    response: z.array(credentialViewSchema),
  },
  'POST /me/ttskeys': {
    summary: 'Original system: add a Google Cloud TTS key',
    body: seedKey,
    response: credentialViewSchema,
  },
  'DELETE /me/ttskeys/:id': { summary: 'Original system: delete a Google Cloud TTS key', response: ok },
  'GET /tts/voices': {
    summary:
      "Original system: voices; without provider, Google Cloud TTS's when there is a key for it, else Kokoro's",
    query: voicesQuery,
    provider: true,
    response: voiceListSchema,
  },
  'GET /status/:job_id': {
    summary: "Original system: a job with the seed's field names",
    response: seedJobView,
  },
  'GET /jobs/:job_id/variacoes': { summary: "Original system: a job's variations", response: seedVariations },
};

/**
 * The original system's endpoints, kept so its clients work unchanged. Each maps onto the same
 * services as /api (docs/seed-compatibility.md has the table); none is a second implementation.
 */
export function seedRoutes(
  services: JobServices & { storage: Storage },
  secret: string,
  limiter: LoginLimiter,
  credentialsKey: Buffer,
  voices: VoiceCatalog,
): Router {
  const { db, storage } = services;
  const router = new Router();
  const auth = requireUser(secret, db);
  const owner = (ctx: Context) => ctx.state.user.id as string;

  router.post('/token', async (ctx) => {
    const { username, password } = parse(tokenForm, ctx.request.body);
    const { access_token } = await issueTokens(
      db,
      secret,
      await authenticate(db, limiter, ctx.ip, username, password),
    );
    ctx.body = { access_token, token_type: 'bearer' };
  });

  router.post('/register', async (ctx) => {
    const { email, password } = parse(accountSchema, ctx.request.body);
    const user = await register(db, email, password);
    ctx.body = { id: user.id, email: user.email, created_at: user.created_at };
  });

  router.get('/me/agents', auth, async (ctx) => {
    ctx.body = (await listAgents(db, owner(ctx))).map((a) => seedAgent(agentView(a)));
  });
  router.post('/me/agents', auth, async (ctx) => {
    ctx.body = seedAgent(await createAgent(db, voices, owner(ctx), fromSeedAgent(ctx.request.body)));
  });
  router.get('/me/agents/:id', auth, async (ctx) => {
    const row = await getAgent(db, owner(ctx), idParam(ctx.params.id, 'agent'));
    if (!row) throw notFound('agent');
    ctx.body = seedAgent(agentView(await recheckVoices(db, voices, row)));
  });
  router.put('/me/agents/:id', auth, async (ctx) => {
    const id = idParam(ctx.params.id, 'agent');
    ctx.body = seedAgent(await replaceAgent(db, voices, owner(ctx), id, fromSeedAgent(ctx.request.body)));
  });
  router.delete('/me/agents/:id', auth, async (ctx) => {
    if (!(await deleteAgent(db, owner(ctx), idParam(ctx.params.id, 'agent')))) throw notFound('agent');
    ctx.body = { ok: true };
  });

  // The seed's two key lists are credentials of one provider each; keys go in, only last4 comes out.
  for (const [path, provider] of [
    ['/me/apikeys', 'gemini'],
    ['/me/ttskeys', 'google-tts'],
  ] as const) {
    router.get(path, auth, async (ctx) => {
      ctx.body = await listCredentials(db, owner(ctx), provider);
    });
    router.post(path, auth, async (ctx) => {
      const { key, label } = parse(seedKey, ctx.request.body);
      ctx.body = await createCredential(db, credentialsKey, {
        userId: owner(ctx),
        provider,
        label,
        secret: key,
      });
    });
    router.delete(`${path}/:id`, auth, async (ctx) => {
      const id = idParam(ctx.params.id, 'key');
      const mine = (await listCredentials(db, owner(ctx), provider)).some((c) => c.id === id);
      if (!mine || !(await deleteCredential(db, owner(ctx), id))) throw notFound('key');
      ctx.body = { ok: true };
    });
  }

  router.get('/tts/voices', auth, async (ctx) => {
    // No provider named: the voices an agent in the original format would speak with now.
    if (!ctx.query.provider) {
      const { tts_provider } = await agentForJob(services, owner(ctx), { default_voices: {} });
      ctx.query = { ...ctx.query, provider: tts_provider };
    }
    await voices.list(ctx);
  });

  router.post('/gerar-roteiro', auth, async (ctx) => {
    const body = parse(gerarRoteiro, ctx.request.body);
    const agentId =
      body.agent_id ??
      (body.agent_name ? (await findAgentByName(db, owner(ctx), body.agent_name))?.id : undefined);
    if (agentId) await voicesReady(db, voices, owner(ctx), agentId);
    const jobId = await startJobWithAgent(services, owner(ctx), {
      agentId: agentId ?? '',
      title: body.titulo,
      languages: body.idiomas,
      variations: body.num_variacoes,
    });
    ctx.body = { job_id: jobId, status: 'queued' };
  });

  /** A job in the original system's shape: texts inline, audio as download URLs. */
  async function seedJob(ctx: Context): Promise<z.infer<typeof seedJobView>> {
    const job = await getOwnedJob(db, owner(ctx), idParam(ctx.params.job_id, 'job'));
    if (!job) throw notFound('job');
    const progress = await jobProgress(services, job.id);
    const text = async (variation: number, language: string) => {
      const key = storageKeys.script(job.id, variation, language);
      return (await storage.size(key)) === undefined ? null : (await storage.get(key)).toString();
    };
    const source = job.agent_snapshot.language;
    const artifacts = await listArtifacts(db, job.id);
    const variations = await Promise.all(
      Array.from({ length: job.variations }, async (_, i) => {
        const roteiros_adaptados: Record<string, string | null> = {};
        for (const language of job.languages.filter((l) => l !== source))
          roteiros_adaptados[language] = await text(i + 1, language);
        const audios_gerados = Object.fromEntries(
          artifacts
            .filter((a) => a.kind === 'audio' && a.variation === i + 1)
            .map((a) => [a.language, `/api/artifacts/${a.id}`]),
        );
        return { roteiro_master: await text(i + 1, source), roteiros_adaptados, audios_gerados };
      }),
    );
    const first = variations[0] ?? { roteiro_master: null, roteiros_adaptados: {}, audios_gerados: {} };
    return {
      job_id: job.id,
      status: job.status,
      titulo: job.title,
      log: (progress?.steps ?? [])
        .filter((s) => s.state !== 'pending')
        .map((s) => `${s.label}: ${s.state}${s.error ? ` (${s.error})` : ''}`),
      resultado: job.status === 'completed' ? 'Roteiro e áudios gerados.' : job.error,
      roteiro_master: first.roteiro_master,
      roteiros_adaptados: first.roteiros_adaptados,
      audios_gerados: first.audios_gerados,
      chars_processados_tts: job.tts_chars,
      duracao_total_segundos: Math.round(job.audio_seconds),
      num_variacoes: job.variations,
      roteiros_por_variacao: variations.map(({ roteiro_master, roteiros_adaptados }) => ({
        roteiro_master,
        roteiros_adaptados,
      })),
      audios_por_variacao: variations.map((v) => v.audios_gerados),
    };
  }

  router.get('/status/:job_id', auth, async (ctx) => {
    ctx.body = await seedJob(ctx);
  });
  router.get('/jobs/:job_id/variacoes', auth, async (ctx) => {
    const { job_id, num_variacoes, roteiros_por_variacao, audios_por_variacao } = await seedJob(ctx);
    ctx.body = { job_id, num_variacoes, roteiros_por_variacao, audios_por_variacao } satisfies z.infer<
      typeof seedVariations
    >;
  });
  return router;
}
