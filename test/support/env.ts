import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ActivityDeps } from '@bolt/activities';
import { activityDeps } from '@bolt/cli';
import { type Agent, jobAgentSchema, loadConfig } from '@bolt/core';
import { createLogger } from '@bolt/core/log';
import { connectDb, type Db, ensureLocalUser, LocalStorage, migrate } from '@bolt/data';
import { inject } from 'vitest';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const testAgent: Agent = jobAgentSchema.parse(
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/agent.json'), 'utf8')),
);
/** The fixture agent on the (fake) cloud providers: Gemini writes, Google Cloud TTS speaks. */
export const cloudFixtureAgent = (name: string) => ({
  ...JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/agent.json'), 'utf8')),
  name,
  llm_provider: 'gemini',
  llm_model: 'gemini-2.5-flash',
  tts_provider: 'google',
  default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C' },
});

/** Small token budget: the real model, but a job that takes seconds. */
export const TEST_MAX_TOKENS = '40';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bolt-${prefix}-`));
}

/** Real activity dependencies: the shared test PostgreSQL, local storage in a temp dir, the real model. */
export async function realDeps(
  env: Record<string, string> = {},
): Promise<{ deps: ActivityDeps; db: Db; ownerId: string; filesDir: string }> {
  const filesDir = tempDir('files');
  const config = loadConfig({
    BOLT_DATA_DIR: filesDir,
    BOLT_LOCAL_MAX_TOKENS: TEST_MAX_TOKENS,
    BOLT_LOG_LEVEL: 'warn',
    ...env,
  });
  const db = connectDb(inject('databaseUrl'));
  await migrate(db);
  const ownerId = await ensureLocalUser(db);
  const storage = new LocalStorage(filesDir);
  return { deps: activityDeps(config, db, storage, createLogger('warn')), db, ownerId, filesDir };
}
