import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, Logger } from '@bolt/activities';
import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import Koa from 'koa';
import serve from 'koa-static';

export interface ApiDeps {
  db: Db;
  client: Client;
  log: Logger;
}

const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The Koa app: ops endpoints and the web app's files. Every error is `{ error: { code, message } }`. */
export function createApp({ db, client, log }: ApiDeps): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const known = err instanceof HttpError;
      if (!known) log.error({ err, path: ctx.path }, 'request failed');
      ctx.status = known ? err.status : 500;
      ctx.body = {
        error: known
          ? { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) }
          : { code: 'internal', message: 'Internal server error' },
      };
    }
  });

  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks = await Promise.allSettled([
      db.raw('select 1'),
      client.connection.workflowService.getSystemInfo({}),
    ]);
    const [database, temporal] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'unreachable'));
    const ready = database === 'ok' && temporal === 'ok';
    if (!ready) throw new HttpError(503, 'not_ready', 'A dependency is unreachable', { database, temporal });
    ctx.body = { status: 'ready', database, temporal };
  });
  app.use(router.routes()).use(router.allowedMethods());

  const built = path.join(webRoot, 'build');
  app.use(serve(fs.existsSync(built) ? built : path.join(webRoot, 'static')));
  return app;
}
