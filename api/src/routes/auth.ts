import { accountSchema, authTokensSchema, type UserView, userViewSchema } from '@bolt/core';
import { consumeRefreshToken, type Db, findUser } from '@bolt/data';
import Router from '@koa/router';
import { z } from 'zod';
import { authenticate, issueTokens, register, requireUser } from '../auth.ts';
import { HttpError, parse } from '../http.ts';
import type { RouteDoc } from '../openapi.ts';
import type { LoginLimiter } from '../rate-limit.ts';

const refreshBody = z.object({ refresh_token: z.string().min(1).max(200) });

export const authDocs: Record<string, RouteDoc> = {
  'POST /api/auth/register': {
    summary: 'Create an account',
    body: accountSchema,
    public: true,
    status: 201,
    response: userViewSchema,
  },
  'POST /api/auth/login': {
    summary: 'Log in: access token and refresh token',
    body: accountSchema,
    public: true,
    response: authTokensSchema,
  },
  'POST /api/auth/refresh': {
    summary: 'Trade a refresh token for new tokens (rotation)',
    body: refreshBody,
    public: true,
    response: authTokensSchema,
  },
  'POST /api/auth/logout': {
    summary: 'Revoke a refresh token',
    body: refreshBody,
    public: true,
    status: 204,
  },
  'GET /api/me': { summary: 'The signed-in user', response: userViewSchema },
};

/** Registration, login, token refresh and logout; `GET /api/me`. */
export function authRoutes(db: Db, secret: string, limiter: LoginLimiter): Router {
  const router = new Router({ prefix: '/api' });

  router.post('/auth/register', async (ctx) => {
    const { email, password } = parse(accountSchema, ctx.request.body);
    const user = await register(db, email, password);
    ctx.status = 201;
    ctx.body = { id: user.id, email: user.email, created_at: user.created_at } satisfies UserView;
  });

  router.post('/auth/login', async (ctx) => {
    const { email, password } = parse(accountSchema, ctx.request.body);
    ctx.body = await issueTokens(db, secret, await authenticate(db, limiter, ctx.ip, email, password));
  });

  router.post('/auth/refresh', async (ctx) => {
    const { refresh_token } = parse(refreshBody, ctx.request.body);
    const userId = await consumeRefreshToken(db, refresh_token);
    const user = userId ? await findUser(db, userId) : undefined;
    if (!user) throw new HttpError(401, 'invalid_refresh_token', 'Refresh token is invalid, used or expired');
    ctx.body = await issueTokens(db, secret, user);
  });
  router.post('/auth/logout', async (ctx) => {
    const { refresh_token } = parse(refreshBody, ctx.request.body);
    await consumeRefreshToken(db, refresh_token);
    ctx.status = 204;
  });

  router.get('/me', requireUser(secret, db), async (ctx) => {
    const user = await findUser(db, ctx.state.user.id);
    ctx.body = { id: user?.id, email: user?.email, created_at: user?.created_at };
  });
  return router;
}
