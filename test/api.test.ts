import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createApp } from '@bolt/api';
import { agentSchema } from '@bolt/core';
import { insertAgent, revealCredential } from '@bolt/data';
import { Validator } from '@seriousme/openapi-schema-validator';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProviders } from './fakes/providers.ts';
import { type ApiHarness, client, signUp, startApi } from './support/api.ts';
import { repoRoot, tempDir } from './support/env.ts';

const agentBody = () => JSON.parse(fs.readFileSync(`${repoRoot}/test/fixtures/agent.json`, 'utf8'));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the HTTP API on the real stack', () => {
  let h: ApiHarness;
  let alice: Awaited<ReturnType<typeof signUp>>;
  let bob: Awaited<ReturnType<typeof signUp>>;
  let fakes: Awaited<ReturnType<typeof startFakeProviders>>;
  const anon = () => client(h.url);

  beforeAll(async () => {
    fakes = await startFakeProviders();
    h = await startApi({ GEMINI_BASE_URL: fakes.url, OPENAI_BASE_URL: `${fakes.url}/v1` });
    alice = await signUp(h.url, `alice-${Date.now()}@example.com`);
    bob = await signUp(h.url, `bob-${Date.now()}@example.com`);
  });
  afterAll(async () => {
    await h?.close();
    await fakes?.close();
  });

  describe('accounts', () => {
    it('rejects a taken email, a bad email and a short password with the field named', async () => {
      const taken = await anon()('POST', '/api/auth/register', {
        email: (await alice.api('GET', '/api/me')).json.email,
        password: 'x'.repeat(10),
      });
      expect(taken).toMatchObject({ status: 409, json: { error: { code: 'email_taken' } } });
      const bad = await anon()('POST', '/api/auth/register', { email: 'nope', password: 'short' });
      expect(bad.status).toBe(400);
      expect(bad.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'email',
        'password',
      ]);
      // Besides the English message, what a client needs to say it in its own words.
      expect(bad.json.error.details).toContainEqual({
        field: 'password',
        message: 'Too small: expected string to have >=8 characters',
        code: 'too_small',
        origin: 'string',
        limit: 8,
      });
      expect(bad.json.error.details).toContainEqual(
        expect.objectContaining({ field: 'email', code: 'invalid_format', origin: 'string' }),
      );
    });

    it('refuses a wrong password and rotates refresh tokens', async () => {
      const email = `carol-${Date.now()}@example.com`;
      await anon()('POST', '/api/auth/register', { email, password: 'a good passphrase' });
      expect((await anon()('POST', '/api/auth/login', { email, password: 'wrong passphrase' })).status).toBe(
        401,
      );
      const login = await anon()('POST', '/api/auth/login', { email, password: 'a good passphrase' });
      const refreshed = await anon()('POST', '/api/auth/refresh', {
        refresh_token: login.json.refresh_token,
      });
      expect(refreshed.status).toBe(200);
      expect((await client(h.url, refreshed.json.access_token)('GET', '/api/me')).json.email).toBe(email);
      expect(
        (await anon()('POST', '/api/auth/refresh', { refresh_token: login.json.refresh_token })).status,
      ).toBe(401);
      expect(
        (await anon()('POST', '/api/auth/logout', { refresh_token: refreshed.json.refresh_token })).status,
      ).toBe(204);
      expect(
        (await anon()('POST', '/api/auth/refresh', { refresh_token: refreshed.json.refresh_token })).status,
      ).toBe(401);
    });

    it('throttles failed logins per account, then per IP, with Retry-After', async () => {
      const email = `dave-${Date.now()}@example.com`;
      await anon()('POST', '/api/auth/register', { email, password: 'the right one' });
      const login = (password: string) => anon()('POST', '/api/auth/login', { email, password });
      for (let i = 0; i < 10; i++) expect((await login('a wrong one')).status).toBe(401);
      const blocked = await login('the right one');
      expect(blocked).toMatchObject({ status: 429, json: { error: { code: 'too_many_attempts' } } });
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);

      // The same stack behind an app with a tiny per-IP budget: this client gets cut off.
      const strict = createApp({
        ...h.stack,
        loginLimits: { perIp: 3, perAccount: 100, windowSeconds: 60 },
      }).listen(0, '127.0.0.1');
      await new Promise((r) => strict.once('listening', r));
      try {
        const url = `http://127.0.0.1:${(strict.address() as AddressInfo).port}`;
        const statuses = [];
        for (let i = 0; i < 4; i++)
          statuses.push(
            (
              await client(url)('POST', '/api/auth/login', {
                email: `x${i}@example.com`,
                password: 'whatever!',
              })
            ).status,
          );
        expect(statuses).toContain(429);
      } finally {
        strict.close();
      }
    });

    it('answers 401 to missing, tampered, alg:none, expired and foreign tokens', async () => {
      const good = alice.tokens.access_token as string;
      const [header, payload] = good.split('.');
      const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString());
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const bad = [
        undefined,
        `${header}.${b64({ ...claims, sub: bob.id })}.${good.split('.')[2]}`,
        `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
        jwt.sign({ email: claims.email }, 'not the server secret but long enough!!', {
          subject: alice.id,
          algorithm: 'HS256',
        }),
        jwt.sign(
          { email: claims.email, exp: Math.floor(Date.now() / 1000) - 60 },
          h.stack.config.BOLT_JWT_SECRET ?? secretOf(h),
          { subject: alice.id },
        ),
      ];
      for (const token of bad) {
        const res = await client(h.url, token)('GET', '/api/me');
        expect(res.status, String(token)).toBe(401);
        expect(res.json.error.code).toBe('unauthorized');
      }
      expect((await client(h.url, good)('GET', '/api/me')).status).toBe(200);
    });
  });

  describe('personal API tokens', () => {
    it('work as Bearer tokens until revoked, and are shown only once', async () => {
      const created = await alice.api('POST', '/api/tokens', { name: 'script' });
      expect(created.status).toBe(201);
      expect(created.json.token).toMatch(/^bolt_pat_/);
      const listed = await alice.api('GET', '/api/tokens');
      expect(listed.text).not.toContain(created.json.token);
      expect(listed.json.items).toEqual([
        expect.objectContaining({ id: created.json.id, name: 'script', last4: created.json.token.slice(-4) }),
      ]);
      const viaToken = client(h.url, created.json.token);
      expect((await viaToken('GET', '/api/me')).json.id).toBe(alice.id);
      expect((await bob.api('DELETE', `/api/tokens/${created.json.id}`)).status).toBe(404);
      expect((await alice.api('DELETE', `/api/tokens/${created.json.id}`)).status).toBe(204);
      expect((await viaToken('GET', '/api/me')).status).toBe(401);
      expect((await client(h.url, 'bolt_pat_made-up')('GET', '/api/me')).status).toBe(401);
    });
  });

  describe('input', () => {
    it('answers 400 to malformed JSON and 413 to a body over the limit', async () => {
      const malformed = await alice.api('POST', '/api/agents', '{"name": ');
      expect(malformed).toMatchObject({ status: 400, json: { error: { code: 'bad_request' } } });
      const huge = await alice.api('POST', '/api/agents', {
        ...agentBody(),
        premise_prompt: 'x'.repeat(2 * 1024 * 1024),
      });
      expect(huge).toMatchObject({ status: 413, json: { error: { code: 'payload_too_large' } } });
    });

    it('names the wrong field of an agent', async () => {
      const res = await alice.api('POST', '/api/agents', {
        ...agentBody(),
        language: 'portuguese',
        target_languages: 'en-US',
        voice_settings: { 'pt-BR': { rate: 9 } },
      });
      expect(res.status).toBe(400);
      expect(res.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'language',
        'target_languages',
        'voice_settings.pt-BR.rate',
      ]);
    });
  });

  describe('agents', () => {
    it('creates, reads, updates, duplicates, exports, imports and deletes', async () => {
      const created = await alice.api('POST', '/api/agents', { ...agentBody(), name: 'Faróis' });
      expect(created.status).toBe(201);
      const id = created.json.id;
      expect((await alice.api('POST', '/api/agents', { ...agentBody(), name: 'Faróis' })).status).toBe(409);
      expect((await alice.api('GET', `/api/agents/${id}`)).json.name).toBe('Faróis');
      const updated = await alice.api('PUT', `/api/agents/${id}`, {
        ...agentBody(),
        name: 'Faróis',
        target_languages: ['es-ES'],
      });
      expect(updated.json.target_languages).toEqual(['es-ES']);
      const copy = await alice.api('POST', `/api/agents/${id}/duplicate`);
      expect(copy).toMatchObject({ status: 201, json: { name: 'Faróis (copy)' } });
      const exported = await alice.api('GET', `/api/agents/${id}/export`);
      expect(exported.json).not.toHaveProperty('id');
      const imported = await alice.api('POST', '/api/agents/import', {
        ...exported.json,
        name: 'Faróis importado',
      });
      expect(imported.status).toBe(201);
      const names = (await alice.api('GET', '/api/agents')).json.items.map((a: { name: string }) => a.name);
      expect(names).toEqual(expect.arrayContaining(['Faróis', 'Faróis (copy)', 'Faróis importado']));
      expect((await alice.api('DELETE', `/api/agents/${copy.json.id}`)).status).toBe(204);
      expect((await alice.api('GET', `/api/agents/${copy.json.id}`)).status).toBe(404);
    });
  });

  describe('batches, cancel, retry and voices', () => {
    const waitFor = async (api: typeof alice.api, id: string, statuses: string[]) => {
      // A job on the embedded model takes two to three minutes on two cores.
      for (let i = 0; i < 1200; i++) {
        const job = (await api('GET', `/api/jobs/${id}`)).json;
        if (statuses.includes(job.status)) return job;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`job ${id} never reached ${statuses}`);
    };

    it('starts a batch, one job per title, and cancels them', async () => {
      // The original system's field names are accepted on input; answers use Bolt's.
      const { language, target_languages, ...rest } = agentBody();
      const created = await alice.api('POST', '/api/agents', {
        ...rest,
        idioma: language,
        idiomas_alvo: target_languages,
        name: 'Batch agent',
      });
      expect(created.json).toMatchObject({ language, target_languages });
      expect(created.json).not.toHaveProperty('idioma');
      const agentId = created.json.id;
      const bad = await alice.api('POST', '/api/jobs', {
        agent_id: agentId,
        title: 'x',
        variations: 21,
        budget_usd: -1,
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'budget_usd',
        'variations',
      ]);
      const estimate = await alice.api('POST', '/api/jobs/estimate', { agent_id: agentId, variations: 2 });
      expect(estimate.status).toBe(200);
      expect(estimate.json).toMatchObject({ costUsd: 0, model: 'local', tts_provider: 'espeak' });
      expect(estimate.json.llmCalls).toBeGreaterThan(4);
      expect(estimate.json.ttsChars).toBeGreaterThan(0);
      expect((await bob.api('POST', '/api/jobs/estimate', { agent_id: agentId })).status).toBe(400);
      const res = await alice.api('POST', '/api/jobs/batch', {
        agent_id: agentId,
        titulos: ['Um', 'Dois'],
        languages: ['pt-BR'],
        num_variacoes: 2,
        budget_usd: 5,
      });
      expect(res.status).toBe(201);
      expect(res.json.items.map((j: { title: string }) => j.title)).toEqual(['Um', 'Dois']);
      expect(res.json.items[0]).toMatchObject({ variations: 2, budget_usd: 5 });
      for (const job of res.json.items)
        expect((await alice.api('POST', `/api/jobs/${job.id}/cancel`)).status).toBe(202);
      for (const job of res.json.items)
        expect((await waitFor(alice.api, job.id, ['cancelled', 'completed'])).status).toBe('cancelled');
      expect((await alice.api('POST', `/api/jobs/${res.json.items[0].id}/cancel`)).status).toBe(409);
    });

    it('retries a failed job from the failed step without redoing finished ones', async () => {
      // The API refuses unknown voices, so this agent is stored as if its voice had since disappeared.
      const agent = { ...agentBody(), name: 'Bad voice', default_voices: { 'pt-BR': 'no-such-voice' } };
      expect((await alice.api('POST', '/api/agents', agent)).json.error.details).toEqual([
        { field: 'default_voices.pt-BR', message: 'espeak has no voice "no-such-voice"' },
      ]);
      const agentId = (await insertAgent(h.stack.db, alice.id, agentSchema.parse(agent)))?.id;
      const jobId = (
        await alice.api('POST', '/api/jobs', { agent_id: agentId, title: 'Falha', languages: ['pt-BR'] })
      ).json.id;
      const failed = await waitFor(alice.api, jobId, ['failed', 'completed']);
      expect(failed.status).toBe('failed');
      expect(failed.error).toContain('no-such-voice');
      const premise = `${h.stack.config.filesDir}/jobs/${jobId}/premise.txt`;
      const before = fs.statSync(premise).mtimeMs;
      expect((await alice.api('POST', `/api/jobs/${jobId}/retry`)).status).toBe(202);
      const again = await waitFor(alice.api, jobId, ['failed', 'completed']);
      expect(again.status).toBe('failed');
      expect(again.steps.find((s: { id: string }) => s.id === 'master.block-2')?.state).toBe('completed');
      expect(fs.statSync(premise).mtimeMs).toBe(before);
      const done = (await alice.api('GET', '/api/jobs?status=completed')).json.items[0];
      if (done) expect((await alice.api('POST', `/api/jobs/${done.id}/retry`)).status).toBe(409);
    });

    it('speaks a short preview with a chosen voice', async () => {
      const res = await fetch(`${h.url}/api/tts/preview`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.tokens.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'pt-BR', voice: 'pt-br', text: 'Olá! Esta é a minha voz.' }),
      });
      expect(res.headers.get('content-type')).toBe('audio/wav');
      const wav = Buffer.from(await res.arrayBuffer());
      expect(wav.subarray(0, 4).toString()).toBe('RIFF');
      expect(wav.length).toBeGreaterThan(10_000);
      const bad = await alice.api('POST', '/api/tts/preview', {
        language: 'pt-BR',
        voice: 'nope',
        text: 'x',
      });
      expect(bad.status).toBe(400);
      const tooFast = await alice.api('POST', '/api/tts/preview', {
        language: 'pt-BR',
        text: 'x',
        settings: { rate: 9 },
      });
      expect(tooFast.json.error.details.map((d: { field: string }) => d.field)).toEqual(['settings.rate']);
    });

    it('lists voices per language, also at the original path', async () => {
      const pt = await alice.api('GET', '/api/tts/voices?provider=espeak&language=pt-BR');
      expect(pt.json.items.map((v: { name: string }) => v.name)).toContain('pt-br');
      expect((await alice.api('GET', '/api/tts/voices?language=klingon')).status).toBe(400);
      expect((await alice.api('GET', '/tts/voices?language=es-ES')).json.items.length).toBeGreaterThan(0);
    });
  });

  describe('credentials', () => {
    const geminiKey = `AIzaSy${'k'.repeat(30)}Wxyz`;

    it('stores keys encrypted and only ever shows their last four characters', async () => {
      const created = await alice.api('POST', '/api/credentials', {
        provider: 'gemini',
        label: 'main',
        key: geminiKey,
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ provider: 'gemini', label: 'main', last4: 'Wxyz' });
      const listed = await alice.api('GET', '/api/credentials');
      const seedListed = await alice.api('GET', '/me/apikeys');
      for (const res of [created, listed, seedListed]) expect(res.text).not.toContain(geminiKey.slice(0, 12));
      expect(seedListed.json.map((c: { id: string }) => c.id)).toContain(created.json.id);

      const row = await h.stack.db('credentials').where({ id: created.json.id }).first();
      expect(row.ciphertext.toString('utf8')).not.toContain(geminiKey.slice(0, 12));
      const key = Buffer.from(
        JSON.parse(fs.readFileSync(`${h.stack.config.dataDir}/secrets.json`, 'utf8')).credentialsKey,
        'base64',
      );
      expect(await revealCredential(h.stack.db, key, alice.id, created.json.id)).toBe(geminiKey);
      expect(await revealCredential(h.stack.db, key, bob.id, created.json.id)).toBeUndefined();

      expect((await bob.api('DELETE', `/api/credentials/${created.json.id}`)).status).toBe(404);
      expect((await bob.api('DELETE', `/me/apikeys/${created.json.id}`)).status).toBe(404);
      expect((await bob.api('GET', '/api/credentials')).json.items).toEqual([]);
      expect((await alice.api('DELETE', `/api/credentials/${created.json.id}`)).status).toBe(204);
      expect((await alice.api('GET', '/api/credentials')).json.items).toEqual([]);
    });

    it('checks keys with the provider through its SDK: valid, invalid or over quota', async () => {
      const checks: Record<string, string> = {};
      for (const [provider, key] of [
        ['gemini', 'valid-gemini-key-0001'],
        ['gemini', 'rejected-gemini-key-0002'],
        ['gemini', 'quota-gemini-key-0003'],
        ['openai', 'valid-openai-key-0004'],
        ['openai', 'rejected-openai-key-0005'],
      ]) {
        const id = (await alice.api('POST', '/api/credentials', { provider, key })).json.id;
        const res = await alice.api('POST', `/api/credentials/${id}/test`);
        expect(res.text).not.toContain(key as string);
        checks[key as string] = res.json.status;
        expect((await bob.api('POST', `/api/credentials/${id}/test`)).status).toBe(404);
      }
      expect(checks).toEqual({
        'valid-gemini-key-0001': 'valid',
        'rejected-gemini-key-0002': 'invalid',
        'quota-gemini-key-0003': 'quota',
        'valid-openai-key-0004': 'valid',
        'rejected-openai-key-0005': 'invalid',
      });
      // Each check reached the provider once, with the stored key decrypted.
      expect(fakes.requests.map((r) => r.key)).toEqual(Object.keys(checks));
    });

    it('rejects an unknown provider and a missing key, naming the fields', async () => {
      const res = await alice.api('POST', '/api/credentials', { provider: 'acme' });
      expect(res.status).toBe(400);
      expect(res.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'key',
        'provider',
      ]);
    });
  });

  describe('a job through the API', () => {
    let jobId: string;
    let agentId: string;

    it('starts once per Idempotency-Key, streams progress over SSE and completes', async () => {
      agentId = (await alice.api('POST', '/api/agents', { ...agentBody(), name: 'Job agent' })).json.id;
      const body = { agent_id: agentId, title: 'A ponte de Alcântara', languages: ['pt-BR', 'en-US'] };
      const first = await alice.api('POST', '/api/jobs', body, { 'Idempotency-Key': 'k-1' });
      expect(first.status).toBe(201);
      // The embedded engines have no quota: nothing holds the job back.
      expect(first.json.admission).toMatchObject({ fits_today: true, warnings: [] });
      expect(Math.abs(Date.parse(first.json.admission.finish_at) - Date.now())).toBeLessThan(60_000);
      const again = await alice.api('POST', '/api/jobs', body, { 'Idempotency-Key': 'k-1' });
      expect(again).toMatchObject({ status: 200, json: { id: first.json.id } });
      jobId = first.json.id;

      const res = await fetch(`${h.url}/api/jobs/${jobId}/events`, {
        headers: { authorization: `Bearer ${alice.tokens.access_token}` },
      });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const events = (await res.text()).split('\n\n').filter((e) => e.startsWith('event:'));
      const names = events.map((e) => /^event: (\w+)/.exec(e)?.[1]);
      expect(names.at(-1)).toBe('end');
      expect(names.filter((n) => n === 'progress').length).toBeGreaterThan(1);
      const ids = events.map((e) => Number(/\nid: (\d+)/.exec(e)?.[1]));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));

      const job = await alice.api('GET', `/api/jobs/${jobId}`);
      expect(job.json).toMatchObject({ id: jobId, status: 'completed', title: 'A ponte de Alcântara' });
      // The quality checks ran on both narrations; whatever the embedded model wrote, the job says how it fared.
      expect(['pass', 'warn', 'fail']).toContain(job.json.quality);
      expect(job.json.quality_summary).toMatch(/^2 narrations: /);
      expect(job.json.steps.every((s: { state: string }) => s.state === 'completed')).toBe(true);
      const list = await alice.api('GET', `/api/jobs?status=completed&agent_id=${agentId}`);
      expect(list.json.items.map((j: { id: string }) => j.id)).toEqual([jobId]);
    });

    it('serves artifacts with ranges and a zip whose entries match byte for byte', async () => {
      const artifacts = (await alice.api('GET', `/api/jobs/${jobId}/artifacts`)).json.items;
      expect(artifacts.map((a: { kind: string }) => a.kind).sort()).toEqual([
        'audio',
        'audio',
        'chapters',
        'chapters',
        'premise',
        'quality',
        'quality',
        'script',
        'script',
        'subtitles',
        'subtitles',
        'subtitles',
        'subtitles',
      ]);
      const mp3 = artifacts.find(
        (a: { kind: string; language: string }) => a.kind === 'audio' && a.language === 'en-US',
      );
      const auth = { authorization: `Bearer ${alice.tokens.access_token}` };
      const whole = Buffer.from(await (await fetch(h.url + mp3.url, { headers: auth })).arrayBuffer());
      expect(sha256(whole)).toBe(mp3.sha256);
      const part = await fetch(h.url + mp3.url, { headers: { ...auth, range: 'bytes=100-199' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 100-199/${mp3.size}`);
      expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(100, 200));
      const tail = await fetch(h.url + mp3.url, { headers: { ...auth, range: 'bytes=-10' } });
      expect(Buffer.from(await tail.arrayBuffer())).toEqual(whole.subarray(whole.length - 10));
      expect(
        (await fetch(h.url + mp3.url, { headers: { ...auth, range: `bytes=${mp3.size}-` } })).status,
      ).toBe(416);

      const zip = await fetch(`${h.url}/api/jobs/${jobId}/bundle.zip`, { headers: auth });
      expect(zip.headers.get('content-type')).toBe('application/zip');
      const file = `${tempDir('zip')}/bundle.zip`;
      fs.writeFileSync(file, Buffer.from(await zip.arrayBuffer()));
      const listing = execFileSync('python3', ['-c', ZIP_HASHES, file]).toString();
      const inZip = JSON.parse(listing) as Record<string, string>;
      expect(Object.keys(inZip).sort()).toEqual([
        'chapters.en-US.vtt',
        'chapters.pt-BR.vtt',
        'narration.en-US.mp3',
        'narration.en-US.srt',
        'narration.en-US.vtt',
        'narration.pt-BR.mp3',
        'narration.pt-BR.srt',
        'narration.pt-BR.vtt',
        'premise.txt',
        'quality.en-US.json',
        'quality.pt-BR.json',
        'script.en-US.md',
        'script.pt-BR.md',
      ]);
      for (const a of artifacts) expect(Object.values(inZip)).toContain(a.sha256);
    });

    it('replaces one block of a finished job: only its speech is made again; usage per step', async () => {
      const edit = (v: number, language: string, block: number, body: unknown) =>
        alice.api('PUT', `/api/jobs/${jobId}/variations/${v}/languages/${language}/blocks/${block}`, body);
      expect((await edit(2, 'en-US', 1, { text: 'x' })).status).toBe(404);
      expect((await edit(1, 'fr-FR', 1, { text: 'x' })).status).toBe(404);
      expect((await edit(1, 'en-US', 9, { text: 'x' })).status).toBe(404);
      expect((await edit(1, 'en-US', 2, { text: '  ' })).status).toBe(400);
      // A block never changed has no earlier take to restore.
      const restore = await alice.api(
        'POST',
        `/api/jobs/${jobId}/variations/1/languages/en-US/blocks/2/restore`,
      );
      expect([restore.status, restore.json.error.code]).toEqual([409, 'no_previous_take']);
      expect(
        (await alice.api('POST', `/api/jobs/${jobId}/variations/1/languages/fr-FR/blocks/2/reroll`)).status,
      ).toBe(404);
      const before = (await alice.api('GET', `/api/jobs/${jobId}/usage`)).json;
      expect(before.totals.paidCalls).toBeGreaterThan(0);
      expect(before.steps.map((s: { step: string }) => s.step)).toContain('premise');

      const text = 'The bridge held, and the river carried the storm away.';
      const res = await edit(1, 'en-US', 2, { text });
      expect(res.status).toBe(202);
      await h.stack.client.workflow.getHandle(res.json.workflow_id).result();
      const script = (await alice.api('GET', `/api/jobs/${jobId}/artifacts`)).json.items.find(
        (a: { kind: string; language: string }) => a.kind === 'script' && a.language === 'en-US',
      );
      expect((await alice.api('GET', script.url)).text).toContain(text);
      const after = (await alice.api('GET', `/api/jobs/${jobId}/usage`)).json.totals;
      // Block 1's speech came from the cache; block 2's was made anew.
      expect(after.cachedCalls).toBeGreaterThan(before.totals.cachedCalls);
      expect(after.paidCalls).toBeGreaterThan(before.totals.paidCalls);
    });

    it('shows none of it to another user: every route answers 404', async () => {
      const artifact = (await alice.api('GET', `/api/jobs/${jobId}/artifacts`)).json.items[0];
      const routes: Array<[string, string, unknown?]> = [
        ['GET', `/api/agents/${agentId}`],
        ['PUT', `/api/agents/${agentId}`, agentBody()],
        ['DELETE', `/api/agents/${agentId}`],
        ['POST', `/api/agents/${agentId}/duplicate`],
        ['GET', `/api/agents/${agentId}/export`],
        ['GET', `/api/jobs/${jobId}`],
        ['GET', `/api/jobs/${jobId}/events`],
        ['GET', `/api/jobs/${jobId}/artifacts`],
        ['GET', `/api/jobs/${jobId}/usage`],
        ['PUT', `/api/jobs/${jobId}/variations/1/languages/en-US/blocks/1`, { text: 'x' }],
        ['POST', `/api/jobs/${jobId}/variations/1/languages/en-US/blocks/1/reroll`],
        ['POST', `/api/jobs/${jobId}/variations/1/languages/en-US/blocks/1/restore`],
        ['GET', `/api/jobs/${jobId}/bundle.zip`],
        ['POST', `/api/jobs/${jobId}/cancel`],
        ['POST', `/api/jobs/${jobId}/retry`],
        ['DELETE', `/api/jobs/${jobId}`],
        ['GET', `/api/artifacts/${artifact.id}`],
      ];
      for (const [method, path, body] of routes) {
        const res = await bob.api(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.json.error.code).toBe('not_found');
      }
      expect((await bob.api('POST', '/api/jobs', { agent_id: agentId, title: 'x' })).status).toBe(400);
      expect((await bob.api('POST', '/api/jobs/batch', { agent_id: agentId, titles: ['x'] })).status).toBe(
        400,
      );
      expect((await bob.api('GET', '/api/jobs')).json.items).toEqual([]);
      expect((await bob.api('GET', '/api/agents')).json.items).toEqual([]);
      // Traversal-looking and malformed ids name nothing either.
      for (const id of ['..%2F..%2Fetc%2Fpasswd', 'not-a-uuid'])
        expect((await bob.api('GET', `/api/artifacts/${id}`)).status).toBe(404);
      // And alice still has everything.
      expect((await alice.api('GET', `/api/jobs/${jobId}`)).status).toBe(200);
    });

    it('deletes a job with its files', async () => {
      const artifacts = (await alice.api('GET', `/api/jobs/${jobId}/artifacts`)).json.items;
      expect((await alice.api('DELETE', `/api/jobs/${jobId}`)).status).toBe(204);
      expect((await alice.api('GET', `/api/jobs/${jobId}`)).status).toBe(404);
      expect((await alice.api('GET', artifacts[0].url)).status).toBe(404);
      expect(fs.existsSync(`${h.stack.config.filesDir}/jobs/${jobId}`)).toBe(false);
    });
  });

  describe("the original system's endpoints", () => {
    it('keeps the seed sequence working: /register, /token, /me/agents, /gerar-roteiro, /status', async () => {
      const email = `seed-${Date.now()}@example.com`;
      expect((await anon()('POST', '/register', { email, password: 'senha segura' })).status).toBe(200);
      const form = new URLSearchParams({ username: email, password: 'senha segura', grant_type: 'password' });
      const token = await fetch(`${h.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      const { access_token, token_type } = (await token.json()) as {
        access_token: string;
        token_type: string;
      };
      expect(token_type).toBe('bearer');
      const seed = client(h.url, access_token);
      const { language, target_languages, ...rest } = agentBody();
      const agent = await seed('POST', '/me/agents', {
        ...rest,
        idioma: language,
        idiomas_alvo: target_languages,
        name: 'Agente seed',
      });
      expect(agent.status).toBe(200);
      expect(agent.json).toMatchObject({ idioma: language, idiomas_alvo: target_languages });
      expect(agent.json).not.toHaveProperty('language');
      expect((await seed('GET', '/me/agents')).json.map((a: { name: string }) => a.name)).toEqual([
        'Agente seed',
      ]);

      const started = await seed('POST', '/gerar-roteiro', {
        titulo: 'O farol',
        agent_id: agent.json.id,
        num_variacoes: 1,
      });
      expect(started.json).toMatchObject({ status: 'queued' });
      const jobId = started.json.job_id;
      let status = (await seed('GET', `/status/${jobId}`)).json;
      for (let i = 0; i < 600 && !['completed', 'failed'].includes(status.status); i++) {
        await new Promise((r) => setTimeout(r, 500));
        status = (await seed('GET', `/status/${jobId}`)).json;
      }
      expect(status).toMatchObject({ status: 'completed', titulo: 'O farol', num_variacoes: 1 });
      expect(status.roteiro_master).toMatch(/^# O farol/);
      expect(Object.keys(status.roteiros_adaptados)).toEqual(['en-US']);
      expect(Object.keys(status.audios_gerados).sort()).toEqual(['en-US', 'pt-BR']);
      expect(status.chars_processados_tts).toBeGreaterThan(0);
      expect(Number.isInteger(status.duracao_total_segundos)).toBe(true);
      expect(status.duracao_total_segundos).toBeGreaterThan(0);
      expect(status.log.length).toBeGreaterThan(5);
      expect(status.audios_por_variacao).toEqual([status.audios_gerados]);
      const audio = await fetch(h.url + status.audios_gerados['pt-BR'], {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(audio.headers.get('content-type')).toBe('audio/mpeg');

      const variations = await seed('GET', `/jobs/${jobId}/variacoes`);
      expect(variations.json.roteiros_por_variacao).toHaveLength(1);
      expect((await bob.api('GET', `/status/${jobId}`)).status).toBe(404);
      expect((await anon()('GET', `/status/${jobId}`)).status).toBe(401);
    });
  });

  describe('documentation and headers', () => {
    it('serves an OpenAPI 3.1 document that validates and covers every route, and a docs page', async () => {
      const doc = (await anon()('GET', '/openapi.json')).json;
      const result = await new Validator().validate(doc);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/api/jobs/{id}/events',
          '/api/artifacts/{id}',
          '/gerar-roteiro',
          '/status/{job_id}',
          '/readyz',
        ]),
      );
      expect(doc.paths['/api/agents'].post.requestBody.content['application/json'].schema.required).toContain(
        'language',
      );
      const page = await anon()('GET', '/docs');
      expect(page.text).toContain('/openapi.json');
      const bundle = await fetch(`${h.url}/docs/assets/swagger-ui-bundle.js`);
      expect(bundle.status).toBe(200);
      expect((await bundle.text()).length).toBeGreaterThan(100_000);
    });

    it('allows only the configured browser origins (CORS)', async () => {
      const config = { ...h.stack.config, BOLT_CORS_ORIGINS: 'https://app.example.com' };
      const server = createApp({ ...h.stack, config }).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/me`;
        const preflight = (origin: string) =>
          fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });
        expect((await preflight('https://app.example.com')).headers.get('access-control-allow-origin')).toBe(
          'https://app.example.com',
        );
        expect(
          (await preflight('https://evil.example.com')).headers.get('access-control-allow-origin'),
        ).toBeNull();
      } finally {
        server.close();
      }
      const byDefault = await fetch(`${h.url}/api/me`, { headers: { origin: 'https://app.example.com' } });
      expect(byDefault.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('sends security headers', async () => {
      const res = await anon()('GET', '/healthz');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toBeTruthy();
    });
  });
});

const ZIP_HASHES = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(json.dumps({n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}))
`;

function secretOf(h: ApiHarness): string {
  return JSON.parse(fs.readFileSync(`${h.stack.config.dataDir}/secrets.json`, 'utf8')).jwtSecret;
}
