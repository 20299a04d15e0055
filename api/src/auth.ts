import { findUser } from '@bolt/activities';
import argon2 from 'argon2';
import jwt from 'jsonwebtoken';
import type { Context, Next } from 'koa';
import koaJwt from 'koa-jwt';
import { HttpError } from './http.ts';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_DAYS = 30;

export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id });
export const verifyPassword = (hash: string, password: string) =>
  argon2.verify(hash, password).catch(() => false);

export function signAccessToken(secret: string, user: { id: string; email: string }): string {
  return jwt.sign({ email: user.email }, secret, {
    algorithm: 'HS256',
    subject: user.id,
    expiresIn: ACCESS_TOKEN_SECONDS,
  });
}

export interface AuthState {
  user: { id: string; email: string };
}

/**
 * Requires a valid access token (HS256 only: `alg: none`, other algorithms, a wrong secret, tampering
 * and expiry are all 401) whose user still exists; puts the user in `ctx.state.user`.
 */
export function requireUser(secret: string, db: Parameters<typeof findUser>[0]) {
  const verify = koaJwt({ secret, algorithms: ['HS256'], key: 'jwt' });
  return async (ctx: Context, next: Next) => {
    await verify(ctx, async () => {
      const claims = ctx.state.jwt as { sub?: string };
      const user = claims.sub ? await findUser(db, claims.sub) : undefined;
      if (!user) throw new HttpError(401, 'unauthorized', 'Invalid token');
      ctx.state.user = { id: user.id, email: user.email };
    }).catch((err: { status?: number }) => {
      if (err.status === 401) throw new HttpError(401, 'unauthorized', 'Missing or invalid access token');
      throw err;
    });
    await next();
  };
}
