import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, eachLimited, filterHref, readFilter } from '../../web/src/lib/job-list.ts';
import { type FakeProviders, startFakeProviders } from '../fakes/providers.ts';
import { type ApiHarness, signUp, startApi } from '../support/api.ts';
import { repoRoot } from '../support/env.ts';
import { ensureWebBuild, launchChromium, screenshot } from './browser.ts';

const password = 'correct horse battery';
type Api = Awaited<ReturnType<typeof signUp>>['api'];

/** Polls a job over the API until its status is one of `statuses`. */
async function waitForStatus(api: Api, id: string, statuses: string[]) {
  for (let i = 0; i < 2400; i++) {
    const job = (await api('GET', `/api/jobs/${id}`)).json;
    if (statuses.includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`job ${id} never reached ${statuses}`);
}

describe('the job list in a real browser: search and filters in the address, bulk cancel, run again', () => {
  let api: ApiHarness;
  let browser: Browser;
  let fake: FakeProviders;
  let user: Awaited<ReturnType<typeof signUp>>;
  let agentId: string;
  const email = `list-web-${Date.now()}@example.com`;

  beforeAll(async () => {
    ensureWebBuild();
    fake = await startFakeProviders();
    api = await startApi({
      ...fake.env,
      GEMINI_API_KEY: 'valid-list-gemini',
      GOOGLE_TTS_API_KEY: 'valid-list-tts',
    });
    browser = await launchChromium();
    user = await signUp(api.url, email, password);
    const agent = await user.api('POST', '/api/agents', {
      ...JSON.parse(fs.readFileSync(`${repoRoot}/test/fixtures/agent.json`, 'utf8')),
      name: 'Harbour Tales',
      llm_provider: 'gemini',
      tts_provider: 'google',
      default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C' },
    });
    expect(agent.status).toBe(201);
    agentId = agent.json.id;
  });
  afterAll(async () => {
    fake?.setLatency(0);
    await browser?.close();
    await api?.close();
    await fake?.close();
  });

  it('keeps search and status in the address through reload and back/forward, cancels in bulk after asking, and runs a job again with its settings', async () => {
    // A finished job in one of the agent's two languages, in two variations, with a budget.
    const done = await user.api('POST', '/api/jobs', {
      agent_id: agentId,
      title: 'The lighthouse keeper',
      languages: ['en-US'],
      variations: 2,
      budget_usd: 5,
    });
    expect(done.status).toBe(201);
    expect((await waitForStatus(user.api, done.json.id, ['completed', 'failed'])).status).toBe('completed');
    // Two jobs that stay running: every model and speech call now takes minutes.
    fake.setLatency(600_000);
    const slow = [];
    for (const title of ['Slow tide one', 'Slow tide two'])
      slow.push((await user.api('POST', '/api/jobs', { agent_id: agentId, title })).json.id as string);
    for (const id of slow) await waitForStatus(user.api, id, ['running']);

    const page: Page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(`${api.url}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/jobs$/);
    const list = page.getByTestId('jobs');
    const titles = () => list.locator('a.title').allTextContents();
    await expect.poll(titles).toEqual(['Slow tide two', 'Slow tide one', 'The lighthouse keeper']);
    // A finished job: its total cost and its audio as a clock.
    const finished = list.getByRole('listitem').filter({ hasText: 'The lighthouse keeper' });
    expect(await finished.getByTestId('cost').textContent()).toMatch(/^Total cost: \$0\.\d+$/);
    expect(await finished.textContent()).toMatch(/\b\d+:\d\d of audio/);

    // Search, then a status filter: both in the address, and the list follows them.
    await page.getByLabel('Search titles').fill('SLOW tide');
    await page.waitForURL(/\/jobs\?q=SLOW\+tide$/);
    await expect.poll(titles).toEqual(['Slow tide two', 'Slow tide one']);
    await page.locator('#status').selectOption('running');
    await page.waitForURL(/\/jobs\?q=SLOW\+tide&status=running$/);
    await page.reload();
    await expect.poll(titles).toEqual(['Slow tide two', 'Slow tide one']);
    expect(await page.getByLabel('Search titles').inputValue()).toBe('SLOW tide');
    expect(await page.locator('#status').inputValue()).toBe('running');
    await page.goBack();
    await page.waitForURL(/\/jobs\?q=SLOW\+tide$/);
    await expect.poll(() => page.locator('#status').inputValue()).toBe('');
    expect(await page.getByLabel('Search titles').inputValue()).toBe('SLOW tide');
    await page.goForward();
    await page.waitForURL(/status=running$/);
    await expect.poll(() => page.locator('#status').inputValue()).toBe('running');
    await expect.poll(titles).toEqual(['Slow tide two', 'Slow tide one']);
    await screenshot(page, 'job-list-filtered');

    // Select the page: running jobs can be cancelled, not retried.
    const cancels: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/cancel')) cancels.push(r.url());
    });
    await page.getByLabel('Select all on this page').check();
    await page.getByText('2 selected').waitFor();
    expect(await page.getByRole('button', { name: 'Retry (0)' }).isDisabled()).toBe(true);
    const cancel = page.getByRole('button', { name: 'Cancel (2)' });
    // Dismissed: nothing is sent.
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await cancel.click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatch(/^Cancel 2 jobs\? What is done is kept/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(cancels).toEqual([]);
    for (const id of slow) expect((await user.api('GET', `/api/jobs/${id}`)).json.status).toBe('running');
    // Accepted: both are cancelled, and the page says so.
    page.once('dialog', (d) => void d.accept());
    await cancel.click();
    await expect
      .poll(() => page.getByTestId('bulk-report').textContent(), { timeout: 60_000 })
      .toBe('2 cancelled.');
    expect(cancels.sort()).toEqual(slow.map((id) => `${api.url}/api/jobs/${id}/cancel`).sort());
    for (const id of slow)
      expect((await waitForStatus(user.api, id, ['cancelled', 'failed'])).status).toBe('cancelled');
    fake.setLatency(0);

    // Run again with another title: the new-job form has the job's agent, languages, variations, budget.
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.waitForURL(/\/jobs$/);
    await list
      .getByRole('listitem')
      .filter({ hasText: 'The lighthouse keeper' })
      .getByRole('link', { name: 'Run again with another title' })
      .click();
    await page.waitForURL(/\/jobs\/new\?agent=/);
    expect(await page.locator('#agent').inputValue()).toBe(agentId);
    expect(await page.getByRole('checkbox', { name: /en-US/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /pt-BR/ }).isChecked()).toBe(false);
    expect(await page.getByLabel('Variations').inputValue()).toBe('2');
    expect(await page.getByLabel('Budget (US$, optional)').inputValue()).toBe('5');
    await screenshot(page, 'job-list-run-again');
    await page.getByLabel('Title').fill('The lighthouse keeper’s daughter');
    await page.getByRole('button', { name: 'Start job' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const again = (await user.api('GET', `/api/jobs/${page.url().split('/').pop()}`)).json;
    expect(again).toMatchObject({
      title: 'The lighthouse keeper’s daughter',
      agent_id: agentId,
      languages: ['en-US'],
      variations: 2,
      budget_usd: 5,
    });
    await user.api('POST', `/api/jobs/${again.id}/cancel`);
  });
});

describe("the job list's helpers", () => {
  it('reads the filter from the address and writes it back, defaults left out and nonsense ignored', () => {
    const href = '/jobs?q=SLOW+tide&status=running&agent=a1&sort=cost&offset=20';
    const filter = readFilter(new URL(href, 'http://x').searchParams);
    expect(filter).toEqual({ q: 'SLOW tide', status: 'running', agentId: 'a1', sort: 'cost', offset: 20 });
    expect(filterHref(filter)).toBe(href);
    const odd = readFilter(new URLSearchParams('status=lost&sort=random&offset=-3'));
    expect(odd).toEqual({ q: '', status: '', agentId: '', sort: 'newest', offset: 0 });
    expect(filterHref(odd)).toBe('/jobs');
  });

  it('allows cancel while unfinished, retry after a failure or cancel, delete always', () => {
    expect(['queued', 'running'].every((s) => allows('cancel', s as never))).toBe(true);
    expect(['completed', 'failed', 'cancelled'].some((s) => allows('cancel', s as never))).toBe(false);
    expect(['failed', 'cancelled'].every((s) => allows('retry', s as never))).toBe(true);
    expect(['queued', 'running', 'completed'].some((s) => allows('retry', s as never))).toBe(false);
    expect(allows('delete', 'running')).toBe(true);
  });

  it('runs at most the limit at once and reports each failure with its item', async () => {
    let running = 0;
    let most = 0;
    const results = await eachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      if (n % 3 === 0) throw new Error(`no ${n}`);
    });
    expect(most).toBe(3);
    expect(results).toHaveLength(7);
    expect(results.filter((r) => r.error).map((r) => [r.item, (r.error as Error).message])).toEqual([
      [3, 'no 3'],
      [6, 'no 6'],
    ]);
  });
});
