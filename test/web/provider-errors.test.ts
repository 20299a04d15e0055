import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, type Fault, startFakeProviders } from '../fakes/providers.ts';
import { type ApiHarness, signUp, startApi } from '../support/api.ts';
import { ensureWebBuild, launchChromium, screenshot } from './browser.ts';

describe('the web app when a provider fails for a moment', () => {
  let api: ApiHarness;
  let browser: Browser;
  let fake: FakeProviders;
  let page: Page;
  /** Google's voice list (a free call) fails this many times; earlier faults end. */
  const listFails = (kind: Fault['kind'], times: number) => {
    fake.clearFaults();
    fake.inject({ api: 'google-tts', kind, calls: 'all', times });
  };

  beforeAll(async () => {
    ensureWebBuild();
    fake = await startFakeProviders();
    api = await startApi({ ...fake.env, GOOGLE_TTS_API_KEY: 'valid-web-tts' });
    browser = await launchChromium();
    // Signed in through the API; the app reads its session from localStorage.
    const user = await signUp(api.url, `web-hiccups-${Date.now()}@example.com`);
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const session = JSON.stringify({
      email: 'web-hiccups@example.com',
      access: user.tokens.access_token,
      refresh: user.tokens.refresh_token,
    });
    await context.addInitScript({
      content: `localStorage.setItem('bolt.session', ${JSON.stringify(session)})`,
    });
    page = await context.newPage();
    const key = await user.api('POST', '/api/credentials', { provider: 'google-tts', key: 'valid-key-4417' });
    expect(key.status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await fake?.close();
  });

  it('shows why the voice list failed, with a retry; a provider chosen again reloads it', async () => {
    await page.goto(`${api.url}/agents/new`);
    const voice = page.locator('#voice-pt-BR');
    const note = page.locator('fieldset[data-language="pt-BR"] [role="alert"]');
    // Three tries, as the API makes them, all failing.
    listFails('500', 3);
    await page.locator('#tts').selectOption('google');
    await note.getByText('The voices for pt-BR could not be loaded.').waitFor({ timeout: 30_000 });
    expect(await note.textContent()).toMatch(/failed \(HTTP 500\).*Internal error encountered/);
    await screenshot(page, 'provider-voices-failed');
    expect(await voice.locator('option').count()).toBe(1);
    await note.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => voice.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    expect(await note.count()).toBe(0);

    // Failing again after another provider was chosen, then back: the list is asked for anew.
    listFails('500', 3);
    await page.locator('#tts').selectOption('espeak');
    await page.locator('#tts').selectOption('google');
    await note.getByText('The voices for pt-BR could not be loaded.').waitFor({ timeout: 30_000 });
    fake.clearFaults();
    await page.locator('#tts').selectOption('kokoro');
    await page.locator('#tts').selectOption('google');
    await expect.poll(() => voice.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    expect(await note.count()).toBe(0);
  });

  it('saves an agent while the voice check fails and says its voices are not checked yet', async () => {
    await page.goto(`${api.url}/agents/new`);
    await page.getByLabel('Name').fill('Saved in a storm');
    await page.getByLabel('Premise prompt').fill('Write the premise of a story about the title.');
    await page.getByLabel('Block structure').fill('2 blocks of ~30 words: hook, ending');
    await page.locator('#tts').selectOption('google');
    const voice = page.locator('#voice-pt-BR');
    await expect.poll(() => voice.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    await voice.selectOption('pt-BR-Neural2-A');
    listFails('429', 1);
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL(/\/agents$/);
    const card = page.locator('li', { has: page.getByRole('link', { name: 'Saved in a storm' }) });
    await card.getByText('Voices not checked yet').waitFor();
    await screenshot(page, 'provider-agent-not-checked');

    // Opened while the provider still fails: the form says so; once it answers, the check passes.
    listFails('500', 1);
    await page.getByRole('link', { name: 'Saved in a storm' }).click();
    await page.getByTestId('voice-check').waitFor();
    expect(await page.getByTestId('voice-check').textContent()).toMatch(
      /Voices not checked yet: .*Internal error encountered/,
    );
    fake.clearFaults();
    await page.reload();
    await page.getByRole('heading', { name: 'Saved in a storm' }).waitFor();
    await page.locator('#voice-pt-BR option').nth(1).waitFor({ state: 'attached', timeout: 30_000 });
    expect(await page.getByTestId('voice-check').count()).toBe(0);
  });

  it('shows a key test that could not reach the provider next to the key, with a retry', async () => {
    await page.goto(`${api.url}/credentials`);
    listFails('500', 3);
    await page.getByRole('button', { name: 'Test' }).click();
    const result = page.getByTestId('key-check');
    await result.getByText(/unreachable: .*Internal error encountered/).waitFor({ timeout: 30_000 });
    fake.clearFaults();
    await result.getByRole('button', { name: 'Try again' }).click();
    await result.getByText(/^\s*valid: /).waitFor({ timeout: 30_000 });
  });
});
