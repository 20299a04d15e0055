import type { AddressInfo } from 'node:net';
import { createApp } from '@bolt/api';
import { freePort, openStack, type Stack } from '@bolt/cli';
import { loadConfig } from '@bolt/core';
import { inject } from 'vitest';
import { TEST_MAX_TOKENS, tempDir } from './env.ts';

export interface ApiHarness {
  stack: Stack;
  url: string;
  close(): Promise<void>;
}

/** The real Koa app over HTTP on a stack of real servers: embedded Temporal, the test PostgreSQL, a worker. */
export async function startApi(env: Record<string, string> = {}): Promise<ApiHarness> {
  const config = loadConfig({
    BOLT_DATA_DIR: tempDir('api'),
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    BOLT_LOCAL_MAX_TOKENS: TEST_MAX_TOKENS,
    BOLT_LOG_LEVEL: 'warn',
    ...env,
  });
  const stack = await openStack(config, { worker: true, join: false });
  // Many tests log in from 127.0.0.1: a roomy per-IP budget here; the throttling test tightens it.
  const loginLimits = { perIp: 1000, perAccount: 10, windowSeconds: 900 };
  const server = createApp({ ...stack, loginLimits }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    stack,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await stack.stop();
    },
  };
}

/** A small client: JSON in, JSON (or raw response) out, with an optional bearer token. */
export function client(base: string, token?: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: responses are checked field by field in the tests
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
}

export async function signUp(base: string, email: string, password = 'correct horse battery') {
  const anon = client(base);
  const reg = await anon('POST', '/api/auth/register', { email, password });
  if (reg.status !== 201) throw new Error(`register ${reg.status}: ${reg.text}`);
  const login = await anon('POST', '/api/auth/login', { email, password });
  return { id: reg.json.id as string, tokens: login.json, api: client(base, login.json.access_token) };
}
