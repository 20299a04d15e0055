import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string | null;
  created_at: Date;
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
