import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';

export interface ServerSecrets {
  /** HS256 signing secret for access tokens. */
  jwtSecret: string;
  /** AES-256 key for stored provider credentials. */
  credentialsKey: Buffer;
}

/**
 * The server's secrets: from BOLT_JWT_SECRET / BOLT_CREDENTIALS_KEY, else generated on first start and
 * kept in data/secrets.json (mode 600), so they survive restarts without any configuration.
 */
export function serverSecrets(config: Config): ServerSecrets {
  const file = path.join(config.dataDir, 'secrets.json');
  const stored = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>)
    : {};
  const generated = {
    jwtSecret: stored.jwtSecret ?? randomBytes(48).toString('base64url'),
    credentialsKey: stored.credentialsKey ?? randomBytes(32).toString('base64'),
  };
  if (generated.jwtSecret !== stored.jwtSecret || generated.credentialsKey !== stored.credentialsKey) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(generated), { mode: 0o600 });
  }
  return {
    jwtSecret: config.BOLT_JWT_SECRET ?? generated.jwtSecret,
    credentialsKey: Buffer.from(config.BOLT_CREDENTIALS_KEY ?? generated.credentialsKey, 'base64'),
  };
}
