import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { CredentialProvider, CredentialView, QuotaLimits } from '@bolt/core';
import type { Knex } from 'knex';

const columns = ['id', 'provider', 'label', 'last4', 'limits', 'created_at'] as const;

/** Stores a provider key encrypted with AES-256-GCM under the server's 32-byte key. */
export async function createCredential(
  db: Knex,
  key: Buffer,
  c: { userId: string; provider: CredentialProvider; label: string; secret: string; limits?: QuotaLimits },
): Promise<CredentialView> {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(c.secret, 'utf8'), cipher.final()]);
  const [row] = await db('credentials')
    .insert({
      user_id: c.userId,
      provider: c.provider,
      label: c.label,
      ciphertext,
      iv,
      tag: cipher.getAuthTag(),
      last4: c.secret.slice(-4),
      limits: c.limits ?? null,
    })
    .returning(columns);
  return row;
}

export async function listCredentials(
  db: Knex,
  userId: string,
  provider?: CredentialProvider,
): Promise<CredentialView[]> {
  const query = db('credentials').where({ user_id: userId }).orderBy('created_at');
  if (provider) query.andWhere({ provider });
  return query.select(columns);
}

/** Sets a key's own limits (null: the provider's defaults); undefined when it is not this user's. */
export async function setCredentialLimits(
  db: Knex,
  userId: string,
  id: string,
  limits: QuotaLimits | null,
): Promise<CredentialView | undefined> {
  const [row] = await db('credentials').where({ user_id: userId, id }).update({ limits }).returning(columns);
  return row;
}

export async function deleteCredential(db: Knex, userId: string, id: string): Promise<boolean> {
  return (await db('credentials').where({ user_id: userId, id }).delete()) > 0;
}

interface SealedRow {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
}

function unseal(key: Buffer, row: SealedRow): string {
  const decipher = createDecipheriv('aes-256-gcm', key, row.iv);
  decipher.setAuthTag(row.tag);
  return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
}

/** The plain key, for activities calling the provider; undefined when it is not this user's. */
export async function revealCredential(
  db: Knex,
  key: Buffer,
  userId: string,
  id: string,
): Promise<string | undefined> {
  const row = await db('credentials').where({ user_id: userId, id }).first('ciphertext', 'iv', 'tag');
  return row ? unseal(key, row) : undefined;
}

/** A stored key as the activities use it: the plain key, its own limits, its last four characters. */
export interface RevealedCredential {
  id: string;
  secret: string;
  limits: QuotaLimits | null;
  last4: string;
}

/** All of a user's plain keys for one provider, oldest first, in one query. */
export async function revealCredentials(
  db: Knex,
  key: Buffer,
  userId: string,
  provider: CredentialProvider,
): Promise<RevealedCredential[]> {
  const rows = await db('credentials')
    .where({ user_id: userId, provider })
    .orderBy('created_at')
    .select('id', 'ciphertext', 'iv', 'tag', 'limits', 'last4');
  return rows.map((row: SealedRow & Omit<RevealedCredential, 'secret'>) => ({
    id: row.id,
    secret: unseal(key, row),
    limits: row.limits,
    last4: row.last4,
  }));
}
