import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '@bolt/core';

/**
 * The JWT signing secret: BOLT_JWT_SECRET, else one generated on first start and kept in
 * data/secrets.json (mode 600), so tokens survive restarts without any configuration.
 */
export function jwtSecret(config: Config): string {
  if (config.BOLT_JWT_SECRET) return config.BOLT_JWT_SECRET;
  const file = path.join(config.dataDir, 'secrets.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ jwtSecret: randomBytes(48).toString('base64url') }), {
      mode: 0o600,
      flag: 'wx',
    });
  }
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { jwtSecret: string }).jwtSecret;
}
