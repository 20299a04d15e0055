import {
  createCredential,
  credentialProviders,
  type Db,
  deleteCredential,
  listCredentials,
} from '@bolt/activities';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { idParam, notFound, parse } from '../http.ts';
import type { RouteDoc } from '../openapi.ts';

export const newCredential = z.object({
  provider: z.enum(credentialProviders),
  label: z.string().trim().min(1).max(120).default('default'),
  key: z.string().trim().min(8).max(4096),
});

export const credentialDocs: Record<string, RouteDoc> = {
  'GET /api/credentials': { summary: 'Provider keys (only their last four characters)' },
  'POST /api/credentials': { summary: 'Store a provider key, encrypted at rest', body: newCredential },
  'DELETE /api/credentials/:id': { summary: 'Delete a provider key' },
};

/** The user's provider keys: stored encrypted (AES-256-GCM); only `last4` is ever sent back. */
export function credentialRoutes(db: Db, key: Buffer): Router {
  const router = new Router({ prefix: '/credentials' });
  const owner = (ctx: Context) => ctx.state.user.id as string;

  router.get('/', async (ctx) => {
    ctx.body = { items: await listCredentials(db, owner(ctx)) };
  });
  router.post('/', async (ctx) => {
    const c = parse(newCredential, ctx.request.body);
    ctx.status = 201;
    ctx.body = await createCredential(db, key, {
      userId: owner(ctx),
      provider: c.provider,
      label: c.label,
      secret: c.key,
    });
  });
  router.delete('/:id', async (ctx) => {
    if (!(await deleteCredential(db, owner(ctx), idParam(ctx.params.id, 'credential'))))
      throw notFound('credential');
    ctx.status = 204;
  });
  return router;
}
