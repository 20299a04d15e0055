import { apiTokenViewSchema, itemsSchema, newApiTokenViewSchema, newTokenSchema } from '@bolt/core';
import { createApiToken, type Db, deleteApiToken, listApiTokens } from '@bolt/data';
import Router from '@koa/router';
import type { Context } from 'koa';
import { idParam, notFound, parse } from '../http.ts';
import type { RouteDoc } from '../openapi.ts';

export const tokenDocs: Record<string, RouteDoc> = {
  'GET /api/tokens': {
    summary: 'Personal API tokens (never the token itself)',
    response: itemsSchema(apiTokenViewSchema),
  },
  'POST /api/tokens': {
    summary: 'Create a personal API token; the answer is the only time it is shown',
    body: newTokenSchema,
    status: 201,
    response: newApiTokenViewSchema,
  },
  'DELETE /api/tokens/:id': { summary: 'Revoke a personal API token', status: 204 },
};

/** Personal API tokens for scripts and the CLI, usable as `Authorization: Bearer bolt_pat_…`. */
export function tokenRoutes(db: Db): Router {
  const router = new Router({ prefix: '/tokens' });
  const owner = (ctx: Context) => ctx.state.user.id as string;
  router.get('/', async (ctx) => {
    ctx.body = { items: await listApiTokens(db, owner(ctx)) };
  });
  router.post('/', async (ctx) => {
    const { name } = parse(newTokenSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = await createApiToken(db, owner(ctx), name);
  });
  router.delete('/:id', async (ctx) => {
    if (!(await deleteApiToken(db, owner(ctx), idParam(ctx.params.id, 'token')))) throw notFound('token');
    ctx.status = 204;
  });
  return router;
}
