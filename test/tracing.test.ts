import { randomBytes } from 'node:crypto';
import { installTracing } from '@bolt/cli';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, startFakeProviders } from './fakes/providers.ts';
import { type ApiHarness, signUp, startApi } from './support/api.ts';
import { cloudFixtureAgent } from './support/env.ts';

const GEMINI_KEY = `valid-gemini-${randomBytes(6).toString('hex')}`;
const TTS_KEY = `valid-tts-${randomBytes(6).toString('hex')}`;
const TITLE = 'A biblioteca submersa de Tebas';

describe('a job traced from the HTTP request to each provider call', () => {
  const exporter = new InMemorySpanExporter();
  let fakes: FakeProviders;
  let h: ApiHarness;
  let agent: Record<string, unknown>;

  beforeAll(async () => {
    // Before the stack opens: its client and worker add their interceptors when tracing is on.
    installTracing({}, { serviceName: 'bolt-test', exporter });
    fakes = await startFakeProviders();
    h = await startApi({
      ...fakes.env,
      GEMINI_API_KEY: GEMINI_KEY,
      GOOGLE_TTS_API_KEY: TTS_KEY,
      BOLT_RATE_LIMITS: 'gemini=6000,google-tts=6000,openai=6000',
    });
    agent = cloudFixtureAgent('Traced');
  });
  afterAll(async () => {
    await h?.close();
    await fakes?.close();
  });

  it('links HTTP → StartWorkflow → RunWorkflow → child → StartActivity → RunActivity → provider call', async () => {
    const user = await signUp(h.url, `traced-${Date.now()}@example.com`);
    const agentId = (await user.api('POST', '/api/agents', agent)).json.id;
    const started = await user.api('POST', '/api/jobs', {
      agent_id: agentId,
      title: TITLE,
      languages: ['pt-BR'],
    });
    expect(started.status, started.text).toBe(201);
    const jobId = started.json.id;
    for (let i = 0; i < 2400; i++) {
      const job = (await user.api('GET', `/api/jobs/${jobId}`)).json;
      if (job.status !== 'queued' && job.status !== 'running') {
        expect(job.status, job.error).toBe('completed');
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }

    const spans = exporter.getFinishedSpans();
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const chain = (span: ReadableSpan): string[] => {
      const names = [span.name];
      for (let s = span; s.parentSpanId && byId.has(s.parentSpanId); ) {
        s = byId.get(s.parentSpanId) as ReadableSpan;
        names.push(s.name);
      }
      return names.reverse();
    };
    const request = spans.find((s) => s.name === 'POST /api/jobs');
    expect(request?.attributes).toMatchObject({
      'http.route': '/api/jobs',
      'http.response.status_code': 201,
    });
    const traceId = request?.spanContext().traceId;
    const inJob = spans.filter((s) => s.spanContext().traceId === traceId);

    // A speech call, made in the narration's child workflow.
    const speech = inJob.find((s) => s.name === 'provider.call google-tts');
    expect(speech?.attributes).toMatchObject({
      'bolt.provider': 'google-tts',
      'bolt.model': 'pt-BR-Neural2-A',
      'bolt.outcome': 'ok',
    });
    expect(speech?.attributes['bolt.chars']).toBeGreaterThan(0);
    expect(chain(speech as ReadableSpan)).toEqual([
      'POST /api/jobs',
      'StartWorkflow:jobWorkflow',
      'RunWorkflow:jobWorkflow',
      'StartChildWorkflow:narrationWorkflow',
      'RunWorkflow:narrationWorkflow',
      expect.stringMatching(/^StartActivity:/),
      expect.stringMatching(/^RunActivity:/),
      'provider.call google-tts',
    ]);
    // A model call, made by the job workflow itself.
    const premise = inJob.find(
      (s) => s.name === 'provider.call gemini' && chain(s).includes('RunActivity:generatePremise'),
    );
    expect(premise?.attributes).toMatchObject({
      'bolt.provider': 'gemini',
      'bolt.model': 'gemini-2.5-flash',
    });
    expect(premise?.attributes['bolt.tokens_out']).toBeGreaterThan(0);
    expect(chain(premise as ReadableSpan)).toEqual([
      'POST /api/jobs',
      'StartWorkflow:jobWorkflow',
      'RunWorkflow:jobWorkflow',
      'StartActivity:generatePremise',
      'RunActivity:generatePremise',
      'provider.call gemini',
    ]);

    // No span says what was asked or written, or with which key.
    const values = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events, s.status]));
    for (const secret of [GEMINI_KEY, TTS_KEY, TITLE, agent.premise_prompt as string, 'valid-'])
      expect(values).not.toContain(secret);
  });
});
