import { checkCredential, type ProviderUrls } from '@bolt/activities/providers';
import {
  credentialTestSchema,
  credentialViewSchema,
  itemsSchema,
  newCredentialSchema,
  quotaLimitsSchema,
} from '@bolt/core';
import {
  createCredential,
  type Db,
  deleteCredential,
  listCredentials,
  revealCredential,
  setCredentialLimits,
} from '@bolt/data';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { idParam, notFound, parse } from '../http.ts';
import type { RouteDoc } from '../openapi.ts';

const limitsChange = z.object({ limits: quotaLimitsSchema.nullable() });

export const credentialDocs: Record<string, RouteDoc> = {
  'GET /api/credentials': {
    summary: 'Provider keys (only their last four characters)',
    response: itemsSchema(credentialViewSchema),
  },
  'POST /api/credentials': {
    summary: 'Store a provider key, encrypted at rest',
    body: newCredentialSchema,
    status: 201,
    response: credentialViewSchema,
  },
  'PATCH /api/credentials/:id': {
    summary:
      "Set a key's own limits (requests and tokens or characters per minute, requests per day); null: the provider's defaults",
    body: limitsChange,
    response: credentialViewSchema,
  },
  'POST /api/credentials/:id/test': {
    summary: 'Check a key with the provider: valid, invalid, quota or unreachable (never a 5xx)',
    response: credentialTestSchema,
  },
  'DELETE /api/credentials/:id': { summary: 'Delete a provider key', status: 204 },
};

/**
 * The user's provider keys: stored encrypted (AES-256-GCM); only `last4` is ever sent back. A key added
 * or its limits changed is told to `keysChanged`, so jobs waiting for quota can look again.
 */
export function credentialRoutes(
  db: Db,
  key: Buffer,
  urls: ProviderUrls,
  keysChanged: (userId: string) => void,
): Router {
  const router = new Router({ prefix: '/credentials' });
  const owner = (ctx: Context) => ctx.state.user.id as string;

  router.get('/', async (ctx) => {
    ctx.body = { items: await listCredentials(db, owner(ctx)) };
  });
  router.post('/', async (ctx) => {
    const c = parse(newCredentialSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = await createCredential(db, key, {
      userId: owner(ctx),
      provider: c.provider,
      label: c.label,
      secret: c.key,
      limits: c.limits,
    });
    keysChanged(owner(ctx));
  });
  router.patch('/:id', async (ctx) => {
    const { limits } = parse(limitsChange, ctx.request.body);
    const id = idParam(ctx.params.id, 'credential');
    const credential = await setCredentialLimits(db, owner(ctx), id, limits);
    if (!credential) throw notFound('credential');
    ctx.body = credential;
    keysChanged(owner(ctx));
  });
  router.post('/:id/test', async (ctx) => {
    const id = idParam(ctx.params.id, 'credential');
    const credential = (await listCredentials(db, owner(ctx))).find((c) => c.id === id);
    const secret = credential && (await revealCredential(db, key, owner(ctx), id));
    if (!credential || !secret) throw notFound('credential');
    ctx.body = {
      id,
      provider: credential.provider,
      ...(await checkCredential(credential.provider, secret, urls)),
    } satisfies z.infer<typeof credentialTestSchema>;
  });
  router.delete('/:id', async (ctx) => {
    if (!(await deleteCredential(db, owner(ctx), idParam(ctx.params.id, 'credential'))))
      throw notFound('credential');
    ctx.status = 204;
  });
  return router;
}
