import type { AuthTokens } from '@bolt/core';
import {
  API_TOKEN_PREFIX,
  createUser,
  type Db,
  findUser,
  findUserByEmail,
  issueRefreshToken,
  type UserRow,
  userForApiToken,
} from '@bolt/data';
import { hash, verify } from '@node-rs/argon2';
import jwt from 'jsonwebtoken';
import type { Context, Next } from 'koa';
import koaJwt from 'koa-jwt';
import { HttpError } from './http.ts';
import type { LoginLimiter } from './rate-limit.ts';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_DAYS = 30;

// @node-rs/argon2 hashes with Argon2id by default (OWASP parameters: 19 MiB, t=2, p=1).
const hashPassword = (password: string) => hash(password);
const verifyPassword = (digest: string, password: string) => verify(digest, password).catch(() => false);

/** Creates an account (Argon2id password hash); 409 when the email is taken. */
export async function register(db: Db, email: string, password: string): Promise<UserRow> {
  const user = await createUser(db, email, await hashPassword(password));
  if (!user) throw new HttpError(409, 'email_taken', 'An account with this email already exists');
  return user;
}

/**
 * The account for these credentials; 401 otherwise (the same answer for an unknown email and a wrong
 * password), 429 when this IP or this account has tried too often.
 */
export async function authenticate(
  db: Db,
  limiter: LoginLimiter,
  ip: string,
  email: string,
  password: string,
): Promise<UserRow> {
  await limiter.attempt(ip, email);
  const user = await findUserByEmail(db, email);
  if (!user?.password_hash || !(await verifyPassword(user.password_hash, password))) {
    await limiter.failed(email);
    throw new HttpError(401, 'invalid_credentials', 'Wrong email or password');
  }
  await limiter.succeeded(email);
  return user;
}

/** A fresh access token and refresh token for a user. */
export async function issueTokens(
  db: Db,
  secret: string,
  user: { id: string; email: string },
): Promise<AuthTokens> {
  return {
    access_token: signAccessToken(secret, user),
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_SECONDS,
    refresh_token: await issueRefreshToken(db, user.id, REFRESH_TOKEN_DAYS),
  };
}

function signAccessToken(secret: string, user: { id: string; email: string }): string {
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
 * Requires a personal API token (`bolt_pat_…`) or a valid access token (HS256 only: `alg: none`, other
 * algorithms, a wrong secret, tampering and expiry are all 401) whose user still exists; puts the user
 * in `ctx.state.user`.
 */
export function requireUser(secret: string, db: Db) {
  const verify = koaJwt({ secret, algorithms: ['HS256'], key: 'jwt' });
  const unauthorized = () => new HttpError(401, 'unauthorized', 'Missing or invalid access token');
  return async (ctx: Context, next: Next) => {
    const bearer = /^Bearer (\S+)$/.exec(ctx.get('Authorization'))?.[1] ?? '';
    if (bearer.startsWith(API_TOKEN_PREFIX)) {
      const user = await userForApiToken(db, bearer);
      if (!user) throw unauthorized();
      ctx.state.user = { id: user.id, email: user.email };
    } else {
      await verify(ctx, async () => {
        const claims = ctx.state.jwt as { sub?: string };
        const user = claims.sub ? await findUser(db, claims.sub) : undefined;
        if (!user) throw unauthorized();
        ctx.state.user = { id: user.id, email: user.email };
      }).catch((err: { status?: number }) => {
        throw err.status === 401 ? unauthorized() : err;
      });
    }
    await next();
  };
}
