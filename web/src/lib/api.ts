// The browser's API client: JSON over fetch, bearer access token, refresh-token rotation on 401.

import type { QuotaLimits } from '@bolt/core/quota';
import { errorText } from './error-text.ts';
import { serverFieldMessages } from './field-errors.ts';
import { dispositionFileName } from './format.ts';
import { t } from './locale.svelte.ts';
import type {
  Agent,
  AgentFields,
  ApiToken,
  Artifact,
  Credential,
  CredentialCheck,
  CredentialProvider,
  Job,
  JobDetail,
  JobEstimate,
  JobRequest,
  JobSort,
  JobStatus,
  JobUsage,
  ListedJob,
  Page,
  StepUsage,
  Tokens,
  User,
  Voice,
  VoiceSettings,
} from './types.ts';

const STORAGE_KEY = 'bolt.session';

/** An API error: the server's `{ error: { code, message, details } }`, or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** Messages per field (`agent_id`, `default_voices.en-US`…) when the server named them, in the UI language. */
  get fields(): Record<string, string> {
    return serverFieldMessages(this.details, t);
  }
}

interface Session {
  email: string;
  access: string;
  refresh: string;
}

function loadSession(): Session | undefined {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

let session = loadSession();
const listeners = new Set<(email: string | undefined) => void>();

function setSession(next: Session | undefined) {
  session = next;
  if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else localStorage.removeItem(STORAGE_KEY);
  for (const l of listeners) l(next?.email);
}

/** Called with the signed-in email (or undefined) now and whenever it changes; returns an unsubscribe. */
export function onSession(listener: (email: string | undefined) => void): () => void {
  listeners.add(listener);
  listener(session?.email);
  return () => listeners.delete(listener);
}

export const signedIn = () => Boolean(session);

// Several requests may see a 401 at once: they share one refresh (the refresh token is single-use).
let refreshing: Promise<boolean> | undefined;
function refreshSession(): Promise<boolean> {
  const current = session;
  if (!current) return Promise.resolve(false);
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: current.refresh }),
      });
      if (!res.ok) {
        if (res.status === 401) setSession(undefined);
        return false;
      }
      const t = (await res.json()) as Tokens;
      setSession({ email: current.email, access: t.access_token, refresh: t.refresh_token });
      return true;
    } catch {
      return false;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

async function toError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body.error?.message)
      return new ApiError(
        res.status,
        body.error.code ?? 'error',
        // The server writes in English for every client; the app says what it knows in the UI language.
        errorText(
          { code: body.error.code ?? 'error', message: body.error.message, details: body.error.details },
          t,
        ),
        body.error.details,
      );
  } catch {
    // not JSON
  }
  return new ApiError(res.status, 'http_error', t('The server answered {status}', { status: res.status }));
}

/** A fetch with the access token; on 401 refreshes once and tries again. Throws ApiError unless 2xx. */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const send = () => {
    const headers = new Headers(init.headers);
    if (session) headers.set('authorization', `Bearer ${session.access}`);
    return fetch(path, { ...init, headers });
  };
  let res: Response;
  try {
    res = await send();
    if (res.status === 401 && session && (await refreshSession())) res = await send();
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(
      0,
      'network',
      t('Cannot reach the Bolt server. Check that it is running and try again.'),
    );
  }
  if (!res.ok) throw await toError(res);
  return res;
}

async function json<T>(
  method: string,
  path: string,
  body?: unknown,
  { headers = {}, signal }: { headers?: HeadersInit; signal?: AbortSignal } = {},
): Promise<T> {
  const res = await request(path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  return (res.status === 204 ? undefined : await res.json()) as T;
}

const query = (params: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

export const auth = {
  async register(email: string, password: string): Promise<void> {
    await json<User>('POST', '/api/auth/register', { email, password });
    await auth.login(email, password);
  },
  async login(email: string, password: string): Promise<void> {
    const t = await json<Tokens>('POST', '/api/auth/login', { email, password });
    setSession({ email, access: t.access_token, refresh: t.refresh_token });
  },
  async logout(): Promise<void> {
    const refresh = session?.refresh;
    setSession(undefined);
    if (refresh) await json('POST', '/api/auth/logout', { refresh_token: refresh }).catch(() => undefined);
  },
  me: () => json<User>('GET', '/api/me'),
};

export const jobs = {
  list: (
    q: {
      status?: JobStatus | '';
      agent_id?: string;
      q?: string;
      sort?: JobSort;
      limit?: number;
      offset?: number;
    } = {},
  ) => json<Page<ListedJob>>('GET', `/api/jobs${query(q)}`),
  get: (id: string) => json<JobDetail>('GET', `/api/jobs/${id}`),
  start: (body: JobBody, idempotencyKey?: string) =>
    json<Job>('POST', '/api/jobs', body, {
      headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
    }),
  batch: (body: Omit<JobBody, 'title'> & { titles: string[] }) =>
    json<{ items: Job[] }>('POST', '/api/jobs/batch', body),
  /** What one job would probably use and cost (an estimate: cached work costs nothing). */
  estimate: (body: Omit<JobBody, 'title' | 'budget_usd'>, signal?: AbortSignal) =>
    json<JobEstimate>('POST', '/api/jobs/estimate', body, { signal }),
  cancel: (id: string) => json<{ id: string; status: string }>('POST', `/api/jobs/${id}/cancel`),
  retry: (id: string) => json<Job>('POST', `/api/jobs/${id}/retry`),
  remove: (id: string) => json<void>('DELETE', `/api/jobs/${id}`),
  artifacts: (id: string) => json<{ items: Artifact[] }>('GET', `/api/jobs/${id}/artifacts`),
  usage: (id: string) => json<{ totals: JobUsage; steps: StepUsage[] }>('GET', `/api/jobs/${id}/usage`),
  /**
   * Changes one block (1-based) of a finished job's script: new text (`edit`), new text from the model
   * (`reroll`) or the take before the last change (`restore`); only that narration's speech is made again.
   */
  changeBlock: (id: string, ref: BlockRef, change: BlockChange) =>
    json<{ workflow_id: string; steps: unknown[] }>(
      change.kind === 'edit' ? 'PUT' : 'POST',
      `/api/jobs/${id}/variations/${ref.variation}/languages/${encodeURIComponent(ref.language)}/blocks/${ref.block}${change.kind === 'edit' ? '' : `/${change.kind}`}`,
      change.kind === 'edit' ? { text: change.text } : undefined,
    ),
};

/** A block of a narration, 1-based. */
export interface BlockRef {
  variation: number;
  language: string;
  block: number;
}
export type BlockChange = { kind: 'edit'; text: string } | { kind: 'reroll' } | { kind: 'restore' };

/** A job to start: an agent, and a request as core's `jobRequestSchema` makes it. */
export type JobBody = JobRequest & { agent_id: string };

export const agents = {
  list: () => json<{ items: Agent[] }>('GET', '/api/agents'),
  get: (id: string) => json<Agent>('GET', `/api/agents/${id}`),
  create: (a: AgentFields) => json<Agent>('POST', '/api/agents', a),
  update: (id: string, a: AgentFields) => json<Agent>('PUT', `/api/agents/${id}`, a),
  duplicate: (id: string) => json<Agent>('POST', `/api/agents/${id}/duplicate`),
  remove: (id: string) => json<void>('DELETE', `/api/agents/${id}`),
  import: (a: unknown) => json<Agent>('POST', '/api/agents/import', a),
  export: (id: string) => request(`/api/agents/${id}/export`).then((r) => r.blob()),
};

export const voices = {
  list: (provider: string, language?: string) =>
    json<{ provider: string; items: Voice[] }>('GET', `/api/tts/voices${query({ provider, language })}`),
  preview: (body: {
    provider: string;
    language: string;
    voice?: string;
    text: string;
    settings?: VoiceSettings;
  }) =>
    request('/api/tts/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.blob()),
};

export const credentials = {
  list: () => json<{ items: Credential[] }>('GET', '/api/credentials'),
  create: (c: { provider: CredentialProvider; label: string; key: string }) =>
    json<Credential>('POST', '/api/credentials', c),
  test: (id: string) => json<CredentialCheck>('POST', `/api/credentials/${id}/test`),
  /** A key's own limits; null goes back to the provider's defaults. */
  setLimits: (id: string, limits: QuotaLimits | null) =>
    json<Credential>('PATCH', `/api/credentials/${id}`, { limits }),
  remove: (id: string) => json<void>('DELETE', `/api/credentials/${id}`),
};

export const tokens = {
  list: () => json<{ items: ApiToken[] }>('GET', '/api/tokens'),
  create: (name: string) => json<ApiToken & { token: string }>('POST', '/api/tokens', { name }),
  remove: (id: string) => json<void>('DELETE', `/api/tokens/${id}`),
};

/** Fetches a protected file (it needs the bearer token, so no plain link) as a blob. */
export const fetchBlob = (url: string) => request(url).then((r) => r.blob());

/** Saves a protected file, under the server's file name when it gives one, through an object URL. */
export async function download(url: string, fallbackName: string): Promise<void> {
  const res = await request(url);
  saveBlob(await res.blob(), dispositionFileName(res.headers.get('content-disposition')) ?? fallbackName);
}

export function saveBlob(blob: Blob, fileName: string) {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
