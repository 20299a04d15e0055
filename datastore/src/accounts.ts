import { createHash, randomBytes } from 'node:crypto';
import type { ApiTokenView } from '@bolt/core';
import type { Knex } from 'knex';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string | null;
  created_at: Date;
}

/** The single local operator account that owns jobs started from the CLI and the example agents. */
const LOCAL_USER_EMAIL = 'local@bolt.localhost';

export async function ensureLocalUser(db: Knex): Promise<string> {
  await db('users').insert({ email: LOCAL_USER_EMAIL }).onConflict('email').ignore();
  const row = await db('users').where({ email: LOCAL_USER_EMAIL }).first('id');
  return row.id as string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Inserts a user; returns undefined when the email is taken. */
export async function createUser(
  db: Knex,
  email: string,
  passwordHash: string,
): Promise<UserRow | undefined> {
  const [row] = await db('users')
    .insert({ email: email.toLowerCase(), password_hash: passwordHash })
    .onConflict('email')
    .ignore()
    .returning('*');
  return row;
}

export async function findUserByEmail(db: Knex, email: string): Promise<UserRow | undefined> {
  return db('users').where({ email: email.toLowerCase() }).first();
}

export async function findUser(db: Knex, id: string): Promise<UserRow | undefined> {
  return db('users').where({ id }).first();
}

/** A new opaque refresh token; only its hash is stored. */
export async function issueRefreshToken(db: Knex, userId: string, ttlDays: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db('refresh_tokens').insert({
    user_id: userId,
    token_hash: sha256(token),
    expires_at: new Date(Date.now() + ttlDays * 86_400_000),
  });
  return token;
}

/** Revokes a live refresh token and returns its user, or undefined when it is unknown, used or expired. */
export async function consumeRefreshToken(db: Knex, token: string): Promise<string | undefined> {
  const [row] = await db('refresh_tokens')
    .where({ token_hash: sha256(token), revoked_at: null })
    .andWhere('expires_at', '>', db.fn.now())
    .update({ revoked_at: db.fn.now() })
    .returning('user_id');
  return row?.user_id;
}

/** Personal API tokens: shown once at creation; only a hash and the last four characters are kept. */
export const API_TOKEN_PREFIX = 'bolt_pat_';

const tokenColumns = ['id', 'name', 'last4', 'created_at', 'last_used_at'] as const;

export async function createApiToken(
  db: Knex,
  userId: string,
  name: string,
): Promise<ApiTokenView & { token: string }> {
  const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const [row] = await db('api_tokens')
    .insert({ user_id: userId, name, token_hash: sha256(token), last4: token.slice(-4) })
    .returning(tokenColumns);
  return { ...row, token };
}

export async function listApiTokens(db: Knex, userId: string): Promise<ApiTokenView[]> {
  return db('api_tokens').where({ user_id: userId }).orderBy('created_at').select(tokenColumns);
}

export async function deleteApiToken(db: Knex, userId: string, id: string): Promise<boolean> {
  return (await db('api_tokens').where({ user_id: userId, id }).delete()) > 0;
}

/** The user a personal API token belongs to (and notes its use), or undefined. */
export async function userForApiToken(db: Knex, token: string): Promise<UserRow | undefined> {
  const [row] = await db('api_tokens')
    .where({ token_hash: sha256(token) })
    .update({ last_used_at: db.fn.now() })
    .returning('user_id');
  return row ? findUser(db, row.user_id) : undefined;
}
