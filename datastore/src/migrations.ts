import type { Knex } from 'knex';

/** Migrations in order. Listed explicitly (not scanned from disk) so bundlers and tsx agree. */
const migrations: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
  '001_initial': {
    async up(k) {
      await k.schema.createTable('users', (t) => {
        t.uuid('id').primary().defaultTo(k.fn.uuid());
        t.string('email', 320).notNullable().unique();
        t.text('password_hash');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(k.fn.now());
      });
      await k.schema.createTable('agents', (t) => {
        t.uuid('id').primary().defaultTo(k.fn.uuid());
        t.uuid('owner_id').notNullable().references('users.id').onDelete('CASCADE');
        t.string('name', 120).notNullable();
        t.string('idioma', 35).notNullable();
        t.text('premise_prompt').notNullable();
        t.text('persona_and_global_rules_prompt').notNullable().defaultTo('');
        t.text('block_structure_prompt').notNullable();
        t.text('cultural_adaptation_prompt').notNullable().defaultTo('');
        t.jsonb('idiomas_alvo').notNullable().defaultTo('[]');
        t.jsonb('cultural_configs').notNullable().defaultTo('{}');
        t.jsonb('default_voices').notNullable().defaultTo('{}');
        t.string('llm_provider', 40).notNullable();
        t.string('llm_model', 200).notNullable().defaultTo('');
        t.string('tts_provider', 40).notNullable();
        t.timestamps(true, true);
        t.unique(['owner_id', 'name']);
      });
      await k.schema.createTable('jobs', (t) => {
        t.uuid('id').primary();
        t.uuid('owner_id').notNullable().references('users.id').onDelete('CASCADE');
        t.uuid('agent_id').references('agents.id').onDelete('SET NULL');
        t.jsonb('agent_snapshot').notNullable();
        t.text('titulo').notNullable();
        t.integer('num_variacoes').notNullable().defaultTo(1);
        t.jsonb('languages').notNullable();
        t.string('status', 16).notNullable().defaultTo('queued');
        t.string('workflow_id', 200).notNullable();
        t.text('error');
        t.integer('chars_processados_tts').notNullable().defaultTo(0);
        t.double('duracao_total_segundos').notNullable().defaultTo(0);
        t.jsonb('result');
        t.timestamps(true, true);
        t.timestamp('finished_at', { useTz: true });
        t.index(['owner_id', 'created_at']);
      });
      await k.schema.createTable('artifacts', (t) => {
        t.uuid('id').primary().defaultTo(k.fn.uuid());
        t.uuid('job_id').notNullable().references('jobs.id').onDelete('CASCADE');
        t.string('kind', 32).notNullable();
        t.string('language', 35);
        t.integer('variation').notNullable().defaultTo(0);
        t.string('storage_key', 512).notNullable();
        t.bigInteger('size').notNullable();
        t.string('sha256', 64).notNullable();
        t.string('content_type', 100).notNullable();
        t.double('duration_seconds');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(k.fn.now());
        t.unique(['job_id', 'storage_key']);
      });
    },
    async down(k) {
      for (const table of ['artifacts', 'jobs', 'agents', 'users']) await k.schema.dropTable(table);
    },
  },
  '002_accounts': {
    async up(k) {
      await k.schema.createTable('refresh_tokens', (t) => {
        t.uuid('id').primary().defaultTo(k.fn.uuid());
        t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
        t.string('token_hash', 64).notNullable().unique();
        t.timestamp('expires_at', { useTz: true }).notNullable();
        t.timestamp('revoked_at', { useTz: true });
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(k.fn.now());
      });
      await k.schema.createTable('idempotency_keys', (t) => {
        t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
        t.string('key', 200).notNullable();
        t.uuid('job_id').notNullable().references('jobs.id').onDelete('CASCADE');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(k.fn.now());
        t.primary(['user_id', 'key']);
      });
      // Login attempt counters shared by every API process (rate-limiter-flexible's Postgres layout).
      await k.schema.createTable('rate_limits', (t) => {
        t.string('key', 255).primary();
        t.integer('points').notNullable().defaultTo(0);
        t.bigInteger('expire');
      });
    },
    async down(k) {
      await k.schema.dropTable('rate_limits');
      await k.schema.dropTable('idempotency_keys');
      await k.schema.dropTable('refresh_tokens');
    },
  },
  '003_credentials': {
    async up(k) {
      await k.schema.createTable('credentials', (t) => {
        t.uuid('id').primary().defaultTo(k.fn.uuid());
        t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
        t.string('provider', 40).notNullable();
        t.string('label', 120).notNullable();
        // AES-256-GCM: ciphertext, 12-byte IV and 16-byte tag; the key never leaves the server.
        t.binary('ciphertext').notNullable();
        t.binary('iv').notNullable();
        t.binary('tag').notNullable();
        t.string('last4', 4).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(k.fn.now());
        t.index(['user_id', 'provider']);
      });
    },
    async down(k) {
      await k.schema.dropTable('credentials');
    },
  },
  '004_api_tokens': {
    async up(k) {
      await k.schema.createTable('api_tokens', (t) => {
        t.uuid('id').primary().defaultTo(k.fn.uuid());
        t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
        t.string('name', 120).notNullable();
        t.string('token_hash', 64).notNullable().unique();
        t.string('last4', 4).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(k.fn.now());
        t.timestamp('last_used_at', { useTz: true });
      });
    },
    async down(k) {
      await k.schema.dropTable('api_tokens');
    },
  },
  '005_pronunciation': {
    async up(k) {
      await k.schema.alterTable('agents', (t) => {
        t.jsonb('pronunciation').notNullable().defaultTo('{}');
      });
    },
    async down(k) {
      await k.schema.alterTable('agents', (t) => {
        t.dropColumn('pronunciation');
      });
    },
  },
  '006_pipeline': {
    async up(k) {
      await k.schema.alterTable('agents', (t) => {
        t.string('llm_fallback_model', 200).notNullable().defaultTo('');
      });
      await k.schema.alterTable('jobs', (t) => {
        t.double('budget_usd');
      });
      // The usage ledger: one row per provider call a step made or found in the cache.
      await k.schema.createTable('usage', (t) => {
        t.bigIncrements('id');
        t.uuid('job_id').notNullable().references('jobs.id').onDelete('CASCADE');
        t.string('step', 200).notNullable();
        t.string('provider', 40).notNullable();
        t.string('model', 200).notNullable();
        t.integer('tokens_in').notNullable().defaultTo(0);
        t.integer('tokens_out').notNullable().defaultTo(0);
        t.integer('chars').notNullable().defaultTo(0);
        t.integer('bytes').notNullable().defaultTo(0);
        t.double('audio_seconds').notNullable().defaultTo(0);
        t.double('cost_usd').notNullable().defaultTo(0);
        t.boolean('cached').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(k.fn.now());
        t.index(['job_id']);
      });
    },
    async down(k) {
      await k.schema.dropTable('usage');
      await k.schema.alterTable('jobs', (t) => {
        t.dropColumn('budget_usd');
      });
      await k.schema.alterTable('agents', (t) => {
        t.dropColumn('llm_fallback_model');
      });
    },
  },
  '007_english_names': {
    async up(k) {
      await renameColumns(k, englishColumns);
    },
    async down(k) {
      await renameColumns(
        k,
        englishColumns.map(([table, from, to]) => [table, to, from]),
      );
    },
  },
  '008_voice_settings': {
    async up(k) {
      await k.schema.alterTable('agents', (t) => {
        t.jsonb('voice_settings').notNullable().defaultTo('{}');
      });
    },
    async down(k) {
      await k.schema.alterTable('agents', (t) => {
        t.dropColumn('voice_settings');
      });
    },
  },
  '009_voice_check': {
    async up(k) {
      // Agents saved before this column had their voices checked on every save.
      await k.schema.alterTable('agents', (t) => {
        t.jsonb('voice_check').notNullable().defaultTo('{"status":"checked"}');
      });
    },
    async down(k) {
      await k.schema.alterTable('agents', (t) => {
        t.dropColumn('voice_check');
      });
    },
  },
  '010_job_title_search': {
    async up(k) {
      // Title search is `ILIKE '%…%'`, which only a trigram index serves. pg_trgm ships with PostgreSQL
      // (contrib) and is trusted, yet a server may lack it or refuse it to this role: then search scans
      // the owner's jobs through (owner_id, created_at), which is fine for thousands of jobs.
      const { rows } = await k.raw(
        "select exists (select 1 from pg_available_extensions where name = 'pg_trgm') as available",
      );
      if (!rows[0]?.available) return;
      try {
        // A savepoint, so a refusal leaves the migration's transaction usable.
        await k.transaction(async (trx) => {
          await trx.raw('create extension if not exists pg_trgm');
          await trx.raw('create index if not exists jobs_title_trgm on jobs using gin (title gin_trgm_ops)');
        });
      } catch {
        // No index: search still works, as above.
      }
    },
    async down(k) {
      await k.raw('drop index if exists jobs_title_trgm');
    },
  },
  '011_providers_optional': {
    async up(k) {
      // null: chosen as each job starts, from the keys there are then (an original-format agent).
      await k.schema.alterTable('agents', (t) => {
        t.string('llm_provider', 40).nullable().alter();
        t.string('tts_provider', 40).nullable().alter();
      });
    },
    async down(k) {
      await k('agents').whereNull('llm_provider').update({ llm_provider: 'local' });
      await k('agents').whereNull('tts_provider').update({ tts_provider: 'kokoro' });
      await k.schema.alterTable('agents', (t) => {
        t.string('llm_provider', 40).notNullable().alter();
        t.string('tts_provider', 40).notNullable().alter();
      });
    },
  },
  '012_quotas': {
    async up(k) {
      // A key's own limits over the provider's defaults (BOLT_RATE_LIMITS); null: the defaults.
      await k.schema.alterTable('credentials', (t) => t.jsonb('limits').nullable());
      // Batch work waits behind everything else when quota is short.
      await k.schema.alterTable('jobs', (t) => t.boolean('batch').notNullable().defaultTo(false));
      // Each key's pace, shared by every worker (times in epoch ms; see core/src/quota.ts).
      await k.schema.createTable('key_quotas', (t) => {
        t.string('key_id', 80).primary();
        t.double('requests_at').notNullable().defaultTo(0);
        t.double('tokens_at').notNullable().defaultTo(0);
        t.double('chars_at').notNullable().defaultTo(0);
        t.double('day').notNullable().defaultTo(0);
        t.integer('day_requests').notNullable().defaultTo(0);
      });
      // A key the provider throttled rests for one model until the time it named.
      await k.schema.createTable('key_rests', (t) => {
        t.string('key_id', 80).notNullable();
        t.string('model', 120).notNullable();
        t.double('until').notNullable();
        t.primary(['key_id', 'model']);
      });
      // Requests waiting for a key of a pool, and what each one waits for (shown on its step).
      await k.schema.createTable('quota_waiters', (t) => {
        t.bigIncrements('id');
        t.string('pool', 120).notNullable();
        t.uuid('user_id').notNullable();
        t.uuid('job_id').nullable();
        t.string('step', 200).nullable();
        t.smallint('priority').notNullable();
        t.string('provider', 40).notNullable();
        t.string('key_hint', 20).nullable();
        t.string('reason', 10).nullable();
        t.double('next_at').nullable();
        t.double('seen_at').notNullable();
        t.index(['pool']);
        t.index(['job_id']);
      });
      // When each user and each job of a pool was last given a request: the least recent goes next.
      await k.schema.createTable('quota_turns', (t) => {
        t.string('pool', 120).notNullable();
        t.string('owner', 80).notNullable();
        t.double('served_at').notNullable();
        t.primary(['pool', 'owner']);
      });
    },
    async down(k) {
      await k.schema.dropTable('quota_turns');
      await k.schema.dropTable('quota_waiters');
      await k.schema.dropTable('key_rests');
      await k.schema.dropTable('key_quotas');
      await k.schema.alterTable('jobs', (t) => t.dropColumn('batch'));
      await k.schema.alterTable('credentials', (t) => t.dropColumn('limits'));
    },
  },
  '013_quota_grants': {
    async up(k) {
      // What each waiter asks for, so whoever looks at the queue can hand it a key (and when to use it).
      await k.schema.alterTable('quota_waiters', (t) => {
        t.string('model', 120).notNullable().defaultTo('');
        t.integer('tokens').notNullable().defaultTo(0);
        t.integer('chars').notNullable().defaultTo(0);
        t.string('granted_key', 80).nullable();
        t.double('granted_at').nullable();
      });
    },
    async down(k) {
      await k.schema.alterTable('quota_waiters', (t) => {
        t.dropColumn('granted_at');
        t.dropColumn('granted_key');
        t.dropColumn('chars');
        t.dropColumn('tokens');
        t.dropColumn('model');
      });
    },
  },
  '014_quota_avoid': {
    async up(k) {
      // Keys the provider refused for a request: the queue hands it one of the user's others.
      await k.schema.alterTable('quota_waiters', (t) =>
        t.specificType('avoid_keys', 'text[]').notNullable().defaultTo('{}'),
      );
    },
    async down(k) {
      await k.schema.alterTable('quota_waiters', (t) => t.dropColumn('avoid_keys'));
    },
  },
};

/** The original system's column names and Bolt's, per table. */
const englishColumns: Array<[table: string, from: string, to: string]> = [
  ['agents', 'idioma', 'language'],
  ['agents', 'idiomas_alvo', 'target_languages'],
  ['jobs', 'titulo', 'title'],
  ['jobs', 'num_variacoes', 'variations'],
  ['jobs', 'chars_processados_tts', 'tts_chars'],
  ['jobs', 'duracao_total_segundos', 'audio_seconds'],
];

async function renameColumns(k: Knex, renames: Array<[string, string, string]>) {
  for (const [table, from, to] of renames) await k.schema.alterTable(table, (t) => t.renameColumn(from, to));
}

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = migrations[name];
    if (!migration) throw new Error(`unknown migration ${name}`);
    return migration;
  },
};
