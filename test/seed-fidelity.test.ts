import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { withProviders } from '@bolt/core';
import { getJob } from '@bolt/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, startFakeProviders } from './fakes/providers.ts';
import { type ApiHarness, client, startApi } from './support/api.ts';
import { repoRoot, tempDir } from './support/env.ts';

/** An agent exactly as the original system stored it: its field names, no provider, Google voices. */
const originalAgent = {
  name: 'Histórias do Sertão',
  idioma: 'pt-BR',
  premise_prompt: 'Escreva em duas frases a premissa de uma história a partir do título.',
  persona_and_global_rules_prompt: 'Você é um narrador. Frases curtas.',
  block_structure_prompt: '2 blocos de ~30 palavras: gancho, desfecho',
  cultural_adaptation_prompt: 'Adapte o texto para o público do idioma de destino.',
  idiomas_alvo: ['en-US'],
  cultural_configs: { 'en-US': 'American audience.' },
  default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C' },
};

type Seed = ReturnType<typeof client>;

/** Signs up and logs in through the original endpoints, as the original clients do. */
async function seedUser(url: string, name: string): Promise<Seed> {
  const email = `${name}-${Date.now()}@example.com`;
  expect((await client(url)('POST', '/register', { email, password: 'senha segura' })).status).toBe(200);
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: email, password: 'senha segura' }).toString(),
  });
  return client(url, ((await res.json()) as { access_token: string }).access_token);
}

async function finished(seed: Seed, jobId: string) {
  // Offline jobs run the embedded model: a few minutes at most on two cores.
  for (let i = 0; i < 1200; i++) {
    const status = (await seed('GET', `/status/${jobId}`)).json;
    if (['completed', 'failed', 'cancelled'].includes(status.status)) return status;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`job ${jobId} never finished`);
}

/** The providers each step of a job was paid (or cached) with, from its usage ledger. */
async function providersUsed(seed: Seed, jobId: string): Promise<string[]> {
  const { steps } = (await seed('GET', `/api/jobs/${jobId}/usage`)).json;
  return [...new Set((steps as Array<{ provider: string }>).map((s) => s.provider))].sort();
}

describe("an agent in the original system's format runs the way the original did", () => {
  let h: ApiHarness;
  let fakes: FakeProviders;

  beforeAll(async () => {
    fakes = await startFakeProviders();
    // No server-wide keys: the users' own keys decide.
    h = await startApi({ ...fakes.env });
  });
  afterAll(async () => {
    await h?.close();
    await fakes?.close();
  });

  it('on Gemini and Google Cloud TTS with the given voices once the user has keys, even added after saving it', async () => {
    const seed = await seedUser(h.url, 'keys');
    const saved = await seed('POST', '/me/agents', originalAgent);
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ idioma: 'pt-BR', idiomas_alvo: ['en-US'] });
    expect(saved.json).not.toHaveProperty('llm_provider');
    expect(saved.json).not.toHaveProperty('tts_provider');
    // Google's voices cannot be checked without a Google key: saved, and said so.
    expect(saved.json.voice_check.status).toBe('not_checked');

    const geminiKey = 'valid-gemini-seed-fidelity';
    const ttsKey = 'valid-tts-seed-fidelity';
    expect((await seed('POST', '/me/apikeys', { key: geminiKey })).status).toBe(200);
    expect((await seed('POST', '/me/ttskeys', { key: ttsKey })).status).toBe(200);
    expect((await seed('GET', `/me/agents/${saved.json.id}`)).json.voice_check.status).toBe('checked');
    const listed = await seed('GET', '/tts/voices?language=pt-BR');
    expect(listed.json.provider).toBe('google');
    expect(listed.json.items.map((v: { name: string }) => v.name)).toContain('pt-BR-Neural2-A');

    const started = await seed('POST', '/gerar-roteiro', {
      titulo: 'O vaqueiro e a seca',
      agent_id: saved.json.id,
      num_variacoes: 1,
    });
    expect(started.json).toMatchObject({ status: 'queued' });
    const jobId = started.json.job_id;
    const status = await finished(seed, jobId);
    expect(status.status, status.resultado).toBe('completed');
    expect(Object.keys(status.audios_gerados).sort()).toEqual(['en-US', 'pt-BR']);

    const paid = fakes.requests.filter((r) => r.paid && r.completed);
    expect(paid.filter((r) => r.api === 'gemini' && r.key === geminiKey).length).toBeGreaterThan(3);
    const speech = paid.filter((r) => r.api === 'google-tts' && r.key === ttsKey);
    expect(speech.length).toBeGreaterThan(1);
    expect(new Set(speech.map((r) => r.voice))).toEqual(new Set(['pt-BR-Neural2-A', 'en-US-Neural2-C']));
    expect(await providersUsed(seed, jobId)).not.toContain('local');
    expect(await providersUsed(seed, jobId)).toEqual(expect.arrayContaining(['gemini', 'google-tts']));

    // The choice is recorded in the job's snapshot; no key is, nor in the workflow's history.
    const job = await getJob(h.stack.db, jobId);
    expect(job?.agent_snapshot).toMatchObject({ llm_provider: 'gemini', tts_provider: 'google' });
    const history = JSON.stringify(await h.stack.client.workflow.getHandle(jobId).fetchHistory());
    for (const key of [geminiKey, ttsKey]) {
      expect(history).not.toContain(key);
      expect(JSON.stringify(job)).not.toContain(key);
    }

    // The original speaking speed and pitch reach Google as its speakingRate and pitch.
    const tuned = await seed('PUT', `/me/agents/${saved.json.id}`, {
      ...originalAgent,
      speaking_rate: { 'pt-BR': 1.25 },
      pitch: -2,
    });
    expect(tuned.status).toBe(200);
    expect(tuned.json).toMatchObject({
      speaking_rate: { 'pt-BR': 1.25, 'en-US': 1 },
      pitch: { 'pt-BR': -2, 'en-US': -2 },
    });
    const before = fakes.requests.length;
    const again = await seed('POST', '/gerar-roteiro', {
      titulo: 'O vaqueiro e a chuva',
      agent_id: saved.json.id,
      idiomas: ['pt-BR'],
    });
    expect((await finished(seed, again.json.job_id)).status).toBe('completed');
    const tunedSpeech = fakes.requests.slice(before).filter((r) => r.api === 'google-tts' && r.paid);
    expect(tunedSpeech.length).toBeGreaterThan(0);
    for (const r of tunedSpeech) {
      expect(r.voice).toBe('pt-BR-Neural2-A');
      expect(r.settings).toMatchObject({ speakingRate: 1.25, pitch: -2 });
    }
  });

  it('on the embedded model and voice when there is no key, leaving Google voices aside', async () => {
    const seed = await seedUser(h.url, 'offline');
    const saved = await seed('POST', '/me/agents', originalAgent);
    expect(saved.status).toBe(200);
    expect((await seed('GET', '/tts/voices?language=pt-BR')).json.provider).toBe('kokoro');
    const before = fakes.requests.length;
    const started = await seed('POST', '/gerar-roteiro', {
      titulo: 'O farol',
      agent_id: saved.json.id,
      idiomas: ['pt-BR'],
    });
    const jobId = started.json.job_id;
    const status = await finished(seed, jobId);
    expect(status.status, status.resultado).toBe('completed');
    expect(status.audios_gerados).toHaveProperty('pt-BR');
    expect(fakes.requests.slice(before)).toEqual([]);
    const used = await providersUsed(seed, jobId);
    expect(used).toEqual(expect.arrayContaining(['kokoro', 'local']));
    for (const cloud of ['gemini', 'google-tts']) expect(used).not.toContain(cloud);
    const job = await getJob(h.stack.db, jobId);
    expect(job?.agent_snapshot).toMatchObject({
      llm_provider: 'local',
      tts_provider: 'kokoro',
      default_voices: {},
    });
  });

  it('reads, replaces and deletes an agent at /me/agents/{id}, for its owner only', async () => {
    const ana = await seedUser(h.url, 'ana');
    const rui = await seedUser(h.url, 'rui');
    const id = (await ana('POST', '/me/agents', originalAgent)).json.id;

    const read = await ana('GET', `/me/agents/${id}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ ...originalAgent, id });
    expect([read.json.speaking_rate, read.json.pitch]).toEqual([{}, {}]);
    expect(read.json).not.toHaveProperty('language');

    const replaced = await ana('PUT', `/me/agents/${id}`, {
      ...originalAgent,
      idiomas_alvo: ['es-ES'],
      speaking_rate: 0.9,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({
      idiomas_alvo: ['es-ES'],
      speaking_rate: { 'pt-BR': 0.9, 'es-ES': 0.9 },
    });
    expect((await ana('GET', `/me/agents/${id}`)).json.idiomas_alvo).toEqual(['es-ES']);
    // Bolt's own names are taken too, and an explicit provider stays as chosen.
    const { idioma, idiomas_alvo, ...rest } = originalAgent;
    const english = await ana('PUT', `/me/agents/${id}`, {
      ...rest,
      language: idioma,
      target_languages: idiomas_alvo,
      llm_provider: 'local',
      tts_provider: 'espeak',
      default_voices: { 'pt-BR': 'pt-br' },
    });
    expect(english.json).toMatchObject({
      idioma,
      idiomas_alvo,
      llm_provider: 'local',
      tts_provider: 'espeak',
    });

    const bad = await ana('PUT', `/me/agents/${id}`, {
      ...originalAgent,
      idioma: 'Português',
      speaking_rate: 9,
      pitch: { 'pt-BR': -30 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'idioma',
      'pitch.pt-BR',
      'speaking_rate',
    ]);
    expect(bad.json.error.message).toMatch(/speaking_rate: Too big: expected number to be <=4/);
    expect(bad.json.error.message).toMatch(/idioma: must be a BCP-47 language tag/);

    for (const [method, body] of [['GET'], ['PUT', originalAgent], ['DELETE']] as const) {
      expect((await rui(method, `/me/agents/${id}`, body)).status, method).toBe(404);
      expect((await client(h.url)(method, `/me/agents/${id}`, body)).status, method).toBe(401);
    }
    expect((await ana('GET', '/me/agents/not-an-id')).status).toBe(404);
    expect((await ana('DELETE', `/me/agents/${id}`)).json).toEqual({ ok: true });
    expect((await ana('GET', `/me/agents/${id}`)).status).toBe(404);
    expect((await ana('DELETE', `/me/agents/${id}`)).status).toBe(404);
  });

  it('documents /me/agents/{id} and the original field names in the OpenAPI document', async () => {
    const doc = (await client(h.url)('GET', '/openapi.json')).json;
    expect(Object.keys(doc.paths['/me/agents/{id}']).sort()).toEqual(['delete', 'get', 'put']);
    const body = doc.paths['/me/agents'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['idioma', 'name']));
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(['idiomas_alvo', 'speaking_rate', 'pitch']),
    );
    // No provider is assumed: left out, it is chosen from the keys when a job starts.
    const agents = doc.paths['/api/agents'].post.requestBody.content['application/json'].schema;
    for (const field of ['llm_provider', 'tts_provider']) {
      expect(agents.required).not.toContain(field);
      expect(agents.properties[field]).not.toHaveProperty('default');
    }
  });
});

describe('choosing the providers an agent left out', () => {
  const voices = { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'af_heart' };
  const keys = { gemini: true, 'google-tts': true };
  const none = { gemini: false, 'google-tts': false };

  it('keeps a provider the agent chose, whatever the keys', () => {
    expect(
      withProviders({ llm_provider: 'openai', tts_provider: 'espeak', default_voices: voices }, keys),
    ).toEqual({
      llm_provider: 'openai',
      tts_provider: 'espeak',
      default_voices: voices,
    });
    expect(withProviders({ llm_provider: 'local', default_voices: {} }, keys)).toMatchObject({
      llm_provider: 'local',
      tts_provider: 'google',
    });
    expect(withProviders({ tts_provider: 'google', default_voices: voices }, none)).toEqual({
      llm_provider: 'local',
      tts_provider: 'google',
      default_voices: voices,
    });
  });

  it('takes each of Gemini and Google Cloud TTS when there is a key for it, else the embedded one', () => {
    expect(withProviders({ default_voices: voices }, { gemini: true, 'google-tts': false })).toEqual({
      llm_provider: 'gemini',
      tts_provider: 'kokoro',
      // Kokoro has no Google voice: that language gets Kokoro's own; its own voices stay.
      default_voices: { 'en-US': 'af_heart' },
    });
    expect(withProviders({ default_voices: voices }, { gemini: false, 'google-tts': true })).toEqual({
      llm_provider: 'local',
      tts_provider: 'google',
      default_voices: voices,
    });
  });
});

describe('.env at start', () => {
  it('is read from the directory bolt starts in, the environment winning', async () => {
    const cwd = tempDir('dotenv');
    fs.writeFileSync(path.join(cwd, '.env'), '# a comment\nPORT=not-a-port\nTEMPORAL_PORT=7233\n');
    // Both ports wrong in the end, so bolt stops at once whatever it reads (never starting a stack).
    const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_PORT: 'not-a-port either' };
    delete env.PORT;
    const child = spawn(process.execPath, [path.join(repoRoot, 'cli/bin/bolt.mjs'), 'start'], { cwd, env });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code, out).toBe(1);
    // PORT came from the file; TEMPORAL_PORT from the environment, over the file's right one.
    expect(out).toMatch(/Invalid configuration:/);
    expect(out).toMatch(/^\s+PORT: /m);
    expect(out).toMatch(/^\s+TEMPORAL_PORT: /m);
  });
});
