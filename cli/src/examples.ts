import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAgentIfMissing, type Db } from '@bolt/data';

export const examplesDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../examples/agents',
);

/** Creates the shipped example agents for the local user; never overwrites an agent of the same name. */
export async function seedExampleAgents(db: Db, ownerId: string): Promise<void> {
  for (const file of fs
    .readdirSync(examplesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    await createAgentIfMissing(
      db,
      ownerId,
      JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')),
    );
  }
}
