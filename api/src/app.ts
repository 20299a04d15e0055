import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { engines, keyRing, parseProviderLimits, providerKeys } from '@bolt/activities/providers';
import { type Config, parseRateLimits, serverKeys, serverSecrets } from '@bolt/core';
import type { Logger } from '@bolt/core/log';
import { registry } from '@bolt/core/metrics';
import type { Db, Storage } from '@bolt/data';
import { wakeQuotaWaiters } from '@bolt/jobs';
import bodyParser from '@koa/bodyparser';
import cors from '@koa/cors';
import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import Koa from 'koa';
import helmet from 'koa-helmet';
import mount from 'koa-mount';
import serve from 'koa-static';
import { requireUser } from './auth.ts';
import { errorHandler, HttpError } from './http.ts';
import { observeRequests } from './observe.ts';
import { openApiDocument } from './openapi.ts';
import { type LoginLimits, loginLimiter } from './rate-limit.ts';
import { agentDocs, agentRoutes } from './routes/agents.ts';
import { artifactDocs, artifactRoutes } from './routes/artifacts.ts';
import { authDocs, authRoutes } from './routes/auth.ts';
import { credentialDocs, credentialRoutes } from './routes/credentials.ts';
import { jobDocs, jobRoutes } from './routes/jobs.ts';
import { seedDocs, seedRoutes } from './routes/seed.ts';
import { tokenDocs, tokenRoutes } from './routes/tokens.ts';
import { voiceCatalog, voiceDocs, voiceRoutes } from './routes/voices.ts';

export interface ApiDeps {
  config: Config;
  db: Db;
  client: Client;
  storage: Storage;
  log: Logger;
  /** Login throttling; defaults suit production. */
  loginLimits?: LoginLimits;
  /**
   * The process's metrics in Prometheus text format: Bolt's registry by default; with a worker in the
   * process, the Temporal SDK's runtime metrics too.
   */
  metricsText?: () => Promise<string>;
}

const opsDocs = {
  'GET /healthz': { summary: 'The process is up', public: true },
  'GET /readyz': {
    summary: 'The database, Temporal and the file storage are reachable (503 otherwise)',
    public: true,
  },
  'GET /metrics': {
    summary: "The process's Prometheus metrics (Bolt's, and the Temporal SDK's when a worker runs here)",
    public: true,
    produces: 'text/plain',
  },
};

/** How long /readyz waits for each dependency. */
const READY_CHECK_MS = 3_000;

/** The promise, or a rejection once `ms` have passed. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const DOCS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bolt API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script></body></html>`;

const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

/** The Koa app: JSON API under /api, ops endpoints, and the web app's files. */
export function createApp(deps: ApiDeps): Koa {
  const { config, db, client, storage, log } = deps;
  const { jwtSecret: secret, credentialsKey } = serverSecrets(config);
  const app = new Koa({ proxy: false });
  // A client that leaves mid-stream (live progress, a download) is no error; anything else is logged.
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') log.error({ err }, 'response failed');
  });
  const origins = config.BOLT_CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);

  app.use(observeRequests());
  app.use(
    errorHandler((err, ctx) => log.error({ err, method: ctx.method, path: ctx.path }, 'request failed')),
  );
  app.use(helmet({ contentSecurityPolicy: false }));
  if (origins.length > 0)
    app.use(cors({ origin: (ctx) => (origins.includes(ctx.get('Origin')) ? ctx.get('Origin') : '') }));
  app.use(
    bodyParser({
      enableTypes: ['json', 'form'],
      jsonLimit: `${config.BOLT_BODY_LIMIT_KB}kb`,
      formLimit: '64kb',
    }),
  );

  const ops = new Router();
  ops.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  ops.get('/readyz', async (ctx) => {
    // A server that is down may not refuse at once (a connection retried, a host that does not answer):
    // each check gets a few seconds, so a load balancer hears "not ready" in time.
    const checks = await Promise.allSettled(
      [
        db.raw('select 1'),
        client.connection.withDeadline(Date.now() + READY_CHECK_MS, () =>
          client.connection.workflowService.getSystemInfo({}),
        ),
        storage.reachable(),
      ].map((check) => within(READY_CHECK_MS, check)),
    );
    const [database, temporal, files] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'unreachable'));
    const dependencies = { database, temporal, storage: files };
    if (Object.values(dependencies).some((d) => d !== 'ok')) {
      throw new HttpError(503, 'not_ready', 'A dependency is unreachable', dependencies);
    }
    ctx.body = { status: 'ready', ...dependencies };
  });
  const metricsText = deps.metricsText ?? (() => registry.metrics());
  ops.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await metricsText();
  });
  app.use(ops.routes());

  const limiter = loginLimiter(db, deps.loginLimits);
  const keys = {
    db,
    credentialsKey,
    serverKeys: serverKeys(config),
    limits: parseRateLimits(config.BOLT_RATE_LIMITS),
  };
  const keysFor = providerKeys(keys);
  const voices = voiceCatalog({
    engines: engines(config),
    keyFor: async (userId, provider) => {
      const pool = await keysFor(userId, provider);
      return pool.keys[0] && pool.secretOf(pool.keys[0].id);
    },
    keys: keyRing({ ...keys, concurrency: parseProviderLimits(config.BOLT_PROVIDER_CONCURRENCY) }),
  });
  const auth = authRoutes(db, secret, limiter);
  app.use(auth.routes()).use(auth.allowedMethods());
  // Routers below are mounted under /api and all require a signed-in user.
  const signedIn = new Router({ prefix: '/api' });
  signedIn.use(requireUser(secret, db));
  for (const r of [
    agentRoutes(db, voices),
    credentialRoutes(
      db,
      credentialsKey,
      {
        gemini: config.GEMINI_BASE_URL,
        openai: config.OPENAI_BASE_URL,
        googleTts: config.GOOGLE_TTS_BASE_URL,
      },
      (userId) => {
        wakeQuotaWaiters({ db, client }, userId).catch((err: unknown) =>
          log.warn({ event: 'quota.wake_failed', err }, 'could not tell waiting jobs about a key change'),
        );
      },
    ),
    jobRoutes({ db, client, config, storage, log }, voices),
    artifactRoutes(db, storage),
    voiceRoutes(voices),
    tokenRoutes(db),
  ]) {
    signedIn.use(r.routes(), r.allowedMethods());
  }
  app.use(signedIn.routes());
  const seed = seedRoutes({ db, client, config, storage }, secret, limiter, credentialsKey, voices);
  app.use(seed.routes()).use(seed.allowedMethods());

  const document = openApiDocument([ops, auth, signedIn, seed], {
    ...opsDocs,
    ...authDocs,
    ...agentDocs,
    ...credentialDocs,
    ...jobDocs,
    ...artifactDocs,
    ...seedDocs,
    ...voiceDocs,
    ...tokenDocs,
  });
  const docs = new Router();
  docs.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
  docs.get('/docs', (ctx) => {
    ctx.type = 'html';
    ctx.body = DOCS_PAGE;
  });
  app.use(docs.routes());
  app.use(mount('/docs/assets', serve(swaggerUiDir)));

  const built = path.join(webRoot, 'build');
  const hasBuild = fs.existsSync(path.join(built, 'index.html'));
  app.use(serve(hasBuild ? built : path.join(webRoot, 'static')));
  // The web app routes in the browser: any other page address (not the API, not a file) gets index.html.
  if (hasBuild) {
    const spaIndex = path.join(built, 'index.html');
    app.use(async (ctx, next) => {
      await next();
      if (ctx.body != null || ctx.status !== 404 || !['GET', 'HEAD'].includes(ctx.method)) return;
      if (/^\/(api|docs|_app)(\/|$)/.test(ctx.path) || path.extname(ctx.path)) return;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = fs.createReadStream(spaIndex);
    });
  }
  return app;
}
