import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, startFakeProviders } from '../fakes/providers.ts';
import { type ApiHarness, client, startApi } from '../support/api.ts';
import { ensureWebBuild, launchChromium, screenshot } from './browser.ts';

const password = 'correct horse battery';

/** What the test reads of an <audio> element inside the page (the test's types have no DOM). */
interface MediaElement {
  readyState: number;
  duration: number;
  currentTime: number;
  paused: boolean;
  dataset: Record<string, string | undefined>;
  play(): Promise<void>;
  pause(): void;
  addEventListener(type: string, listener: () => void, options: { once: boolean }): void;
}

async function signUp(context: BrowserContext, url: string, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/jobs`);
  // Signed out: the app sends us to sign in, and from there to sign up.
  await page.waitForURL(/\/login\?next=/);
  await page.getByRole('link', { name: 'Create an account' }).click();
  // The sign-in form has the same fields: wait for the sign-up one before typing.
  await page.getByRole('heading', { name: 'Create your account' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/jobs$/, { timeout: 60_000 }).catch(async (err) => {
    await screenshot(page, `failed-sign-up-${email}`);
    throw new Error(
      `${(err as Error).message}\nat ${page.url()}: ${await page.locator('main').textContent()}`,
    );
  });
  return page;
}

describe('the web app in a real browser, against the real stack with fake cloud providers', () => {
  let api: ApiHarness;
  let browser: Browser;
  let fake: FakeProviders;

  beforeAll(async () => {
    ensureWebBuild();
    // Gemini and Google Text-to-Speech are local fakes speaking their wire formats; the server-wide
    // keys serve users who stored none.
    fake = await startFakeProviders();
    api = await startApi({
      ...fake.env,
      GEMINI_API_KEY: 'valid-web-gemini',
      GOOGLE_TTS_API_KEY: 'valid-web-tts',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await fake?.close();
  });

  it('sign up → agent → job with a live timeline → listen → zip; another user sees none of it', async () => {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1200, height: 900 },
    });
    const page = await signUp(context, api.url, 'web-e2e@example.com');
    await page.getByText('No jobs yet').waitFor();
    await screenshot(page, '01-jobs-empty');

    // A small agent on Gemini and Google voices: three short blocks, English narrated and adapted to Spanish.
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('link', { name: 'Create an agent' }).click();
    await page.getByLabel('Name').fill('Tiny Tales');
    await page.locator('#llm').selectOption('gemini');
    await page.locator('#tts').selectOption('google');
    await page.getByLabel('Source language').fill('en-US');
    await page
      .getByLabel('Premise prompt')
      .fill('Write in one sentence the premise of a story about the title.');
    await page.getByLabel('Persona and global rules').fill('You are a narrator. Short sentences.');
    await page.getByLabel('Block structure').fill('3 blocks of ~30 words: hook, story, ending');
    await page.getByLabel('Cultural adaptation prompt').fill('Adapt the text for the target audience.');
    await page.getByLabel('Add a target language').fill('es-ES');
    await page.getByRole('button', { name: 'Add language' }).click();
    await page.getByLabel('Cultural settings for es-ES').fill('Audience in Spain.');
    const voice = page.locator('#voice-es-ES');
    await expect.poll(() => voice.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    await voice.selectOption('es-ES-Wavenet-B');
    const english = page.locator('#voice-en-US');
    await expect.poll(() => english.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    await english.selectOption('en-US-Neural2-C');
    const spanish = page.locator('fieldset[data-language="es-ES"]');
    await spanish.getByText(/Pronunciation dictionary/).click();
    await spanish.getByRole('button', { name: 'Add a word' }).click();
    await spanish.getByLabel('Word 1 (es-ES)').fill('Bolt');
    await spanish.getByLabel('Say word 1 as (es-ES)').fill('Bolté');
    await screenshot(page, '02-agent-form');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL(/\/agents$/);
    await page.getByRole('link', { name: 'Tiny Tales' }).waitFor();
    await screenshot(page, '03-agents');

    // Start a job from the agent's Run button.
    await page.getByRole('link', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/jobs\/new\?agent=/);
    await page.getByLabel('Title').fill('The lighthouse keeper');
    // The estimate appears before starting: calls, tokens and the model, speech, and a cost.
    const estimate = page.getByTestId('estimate');
    await estimate.getByText(/About \d+ model calls/).waitFor({ timeout: 30_000 });
    expect(await estimate.textContent()).toMatch(
      /About 8 model calls \(≈ [\d.,]+K? tokens in, [\d.,]+K? out with gemini-[\w.-]+\), [\d.,]+K? characters of speech — estimated \$[\d.]+/,
    );
    expect(await estimate.textContent()).toContain('costs nothing');
    // Fewer languages, a smaller estimate (debounced); a budget under it warns.
    await page.getByRole('checkbox', { name: /Spanish/ }).uncheck();
    await estimate.getByText(/About 4 model calls/).waitFor();
    await page.getByRole('checkbox', { name: /Spanish/ }).check();
    await estimate.getByText(/About 8 model calls/).waitFor();
    await page.getByLabel('Budget (US$, optional)').fill('0.00001');
    await page.getByText(/The budget of .* is below the estimate for one job/).waitFor();
    await page.getByLabel('Budget (US$, optional)').fill('');
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    await screenshot(page, '04-new-job');
    await page.getByRole('button', { name: 'Start job' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobId = page.url().split('/').pop() as string;
    const mp3Downloads: string[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(api.url) && response.headers()['content-type'] === 'audio/mpeg')
        mp3Downloads.push(response.url());
    });
    // The page's progress, read every 50 ms while the job runs: it may only ever grow.
    await page.getByTestId('percent').evaluate((element) => {
      const readings: number[] = [];
      Object.assign(globalThis, { percentReadings: readings });
      setInterval(() => {
        const value = Number.parseInt(element.textContent ?? '', 10);
        if (!Number.isNaN(value) && value !== readings.at(-1)) readings.push(value);
      }, 50);
    });

    // The timeline fills in live (SSE): steps appear, grouped by their id prefix, and all complete.
    const timeline = page.getByTestId('timeline');
    await timeline.locator('[data-step="premise"]').waitFor({ timeout: 60_000 });
    await timeline.locator('[data-group="master"]').waitFor({ timeout: 120_000 });
    await screenshot(page, '05-job-running');
    const status = page.locator('h1 + .badge');
    await expect
      .poll(() => status.getAttribute('data-state'), { timeout: 540_000, interval: 2000 })
      .toMatch(/completed|failed|cancelled/);
    expect(await status.getAttribute('data-state'), (await page.locator('main').textContent()) ?? '').toBe(
      'completed',
    );
    const groups = await timeline
      .locator('li.group')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-group'), e.getAttribute('data-state')]));
    // Grouped by step-id prefix: the job's own steps, the master script, then per language (however the
    // workflow nests them: `en-US.audio`, `v1.en-US.…`); every group and step completed.
    const keys = groups.map(([key]) => key as string);
    expect(keys.slice(0, 2)).toEqual(['job', 'master']);
    expect(groups.every(([, state]) => state === 'completed')).toBe(true);
    const stepIds = await timeline
      .locator('li.step')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-step'), e.getAttribute('data-state')]));
    for (const language of ['en-US', 'es-ES'])
      expect(
        stepIds.some(([id]) => id?.includes(language)),
        language,
      ).toBe(true);
    expect(stepIds.filter(([, state]) => state !== 'completed')).toEqual([]);
    expect(await page.getByTestId('percent').textContent()).toMatch(/^100%/);
    const readings = await page.evaluate(
      () => (globalThis as unknown as { percentReadings: number[] }).percentReadings,
    );
    expect(readings.length).toBeGreaterThan(3);
    expect(readings).toEqual([...readings].sort((a, b) => a - b));
    // A finished job's usage is its total, not "so far".
    await expect.poll(() => page.getByTestId('usage').textContent()).toMatch(/^\s*Total cost: \$/);

    // The Temporal Web UI link points at this workflow.
    const temporal = page.getByRole('link', { name: /Temporal Web UI/ });
    expect(await temporal.getAttribute('href')).toMatch(
      new RegExp(`/namespaces/default/workflows/${jobId}$`),
    );

    // The fakes answered every model and speech call (with the server-wide keys).
    const paid = fake.requests.filter((r) => r.paid && r.completed);
    expect(paid.some((r) => r.api === 'gemini' && r.key === 'valid-web-gemini')).toBe(true);
    expect(paid.some((r) => r.api === 'google-tts' && r.key === 'valid-web-tts')).toBe(true);

    // One player, with a language switch; only the narration on show is downloaded.
    const player = page.locator('audio');
    await expect.poll(() => player.count(), { timeout: 30_000 }).toBe(1);
    const playable = () =>
      player.evaluate(async (element) => {
        const a = element as unknown as MediaElement;
        if (a.readyState < 1)
          await new Promise<void>((r) => a.addEventListener('loadedmetadata', () => r(), { once: true }));
        await a.play();
        a.pause();
        return { language: a.dataset.language, readyState: a.readyState, duration: a.duration };
      });
    expect(await playable()).toMatchObject({ language: 'en-US', readyState: expect.any(Number) });
    expect((await playable()).duration).toBeGreaterThan(0);
    expect(mp3Downloads, mp3Downloads.join(' ')).toHaveLength(1);
    await page.getByLabel('Narration language').selectOption('es-ES');
    await expect.poll(() => player.getAttribute('data-language')).toBe('es-ES');
    expect((await playable()).duration).toBeGreaterThan(0);
    expect(mp3Downloads).toHaveLength(2);

    // Its chapters, one per block; a click seeks the player and marks the chapter. The subtitle line
    // under the player says what is being spoken.
    const chapters = page.locator('details.chapters[data-language="es-ES"]');
    await expect.poll(() => chapters.getByRole('button').count(), { timeout: 30_000 }).toBe(3);
    const third = chapters.getByRole('button').nth(2);
    const start = Number(await third.getAttribute('data-start'));
    expect(start).toBeGreaterThan(0);
    await third.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => player.evaluate((a) => (a as unknown as MediaElement).currentTime))
      .toBeGreaterThanOrEqual(start - 0.05);
    await expect.poll(() => third.getAttribute('aria-current')).toBe('true');
    expect(await chapters.getByRole('button').first().getAttribute('aria-current')).toBeNull();
    await player.evaluate((a) => (a as unknown as MediaElement).pause());
    const spoken = (await page.getByTestId('subtitle-line').textContent())?.trim() ?? '';
    expect(spoken.split(' ').length).toBeGreaterThan(1);
    // Subtitles keep the written form: the line is in the Spanish script shown below.
    await expect
      .poll(async () => (await page.locator('#scripts article').textContent())?.replace(/\s+/g, ' '))
      .toContain(spoken);
    await chapters.getByRole('button').first().click();
    await expect
      .poll(() => player.evaluate((a) => (a as unknown as MediaElement).currentTime))
      .toBeLessThan(start);
    await player.evaluate((a) => (a as unknown as MediaElement).pause());
    await page.getByText('Chapters (WebVTT)').first().waitFor();
    // The script of the narration on show, readable in the page.
    await page.getByRole('heading', { name: 'Scripts' }).waitFor();
    await expect.poll(() => page.locator('#scripts h4').count()).toBe(3);

    // The quality checks' verdict: the job's, and the narration's next to its player.
    await expect
      .poll(() => page.getByTestId('quality-summary').textContent(), { timeout: 30_000 })
      .toContain('2 narrations: 2 pass');
    const report = page.getByTestId('quality');
    await expect.poll(() => report.getAttribute('data-verdict'), { timeout: 30_000 }).toBe('pass');
    await report.locator('summary').click();
    await report.getByText('Every check passed.').waitFor();
    expect(await report.locator('summary').textContent()).toMatch(/3 blocks, \d+ speech chunks checked/);
    await screenshot(page, '06-job-completed');

    // The same job again, for another title: the form starts from this one's settings.
    expect(
      await page.getByRole('link', { name: 'Run again with another title' }).getAttribute('href'),
    ).toMatch(/^\/jobs\/new\?agent=[0-9a-f-]{36}&languages=en-US%2Ces-ES&variations=1$/);

    // The whole job as a zip.
    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('zip').click()]);
    expect(zip.suggestedFilename()).toBe(`bolt-${jobId}.zip`);
    const bytes = fs.readFileSync(await zip.path());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    for (const name of [
      'premise.txt',
      'script.en-US.md',
      'script.es-ES.md',
      'narration.en-US.mp3',
      'narration.es-ES.mp3',
      'chapters.en-US.vtt',
      'chapters.es-ES.vtt',
      'quality.en-US.json',
      'quality.es-ES.json',
    ])
      expect(bytes.includes(Buffer.from(name)), name).toBe(true);

    // A single file too.
    const [mp3] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /narration\.es-ES\.mp3/ }).click(),
    ]);
    expect(mp3.suggestedFilename()).toBe('narration.es-ES.mp3');
    expect(fs.statSync(await mp3.path()).size).toBeGreaterThan(1000);

    // Edit one block of the Spanish script: only Spanish is narrated again, and the page notices.
    await page.getByRole('button', { name: 'Edit block 1 (es-ES)' }).click();
    await page.getByLabel('Block text').fill('Un farero vigila el mar cada noche.');
    await page.getByRole('button', { name: 'Save and narrate again' }).click();
    await page.getByText('The es-ES narration now has the edited block.').waitFor({ timeout: 300_000 });
    await page.locator('#scripts').getByText('Un farero vigila el mar cada noche.').waitFor();
    await expect.poll(() => player.getAttribute('data-language')).toBe('es-ES');

    // The take before the edit comes back on request, narrated again.
    await page.getByRole('button', { name: 'Restore the previous take of block 1 (es-ES)' }).click();
    await expect
      .poll(() => page.locator('#scripts').getByText('Un farero vigila el mar cada noche.').count(), {
        timeout: 300_000,
      })
      .toBe(0);

    // A block plays alone: from its chapter's start, pausing where the next one begins.
    const blockChapters = page.locator('details.chapters[data-language="es-ES"] button');
    await expect.poll(() => blockChapters.count()).toBe(3);
    const [from, to] = await Promise.all(
      [1, 2].map(async (i) => Number(await blockChapters.nth(i).getAttribute('data-start'))),
    );
    expect((await playable()).duration).toBeGreaterThan(to ?? 0);
    await page.getByRole('button', { name: 'Play block 2 (es-ES)' }).click();
    const paused = () =>
      player.evaluate((a) => {
        const media = a as unknown as MediaElement;
        return { paused: media.paused, at: media.currentTime };
      });
    await expect
      .poll(async () => (await paused()).at, { timeout: 30_000 })
      .toBeGreaterThan((from ?? 0) + 0.5);
    await expect.poll(async () => (await paused()).paused, { timeout: 60_000 }).toBe(true);
    const stopped = (await paused()).at;
    // (the pause between blocks belongs to neither)
    expect(stopped).toBeGreaterThanOrEqual((to ?? 0) - 1.5);
    expect(stopped).toBeLessThan((to ?? 0) + 1);

    // The dashboard lists it; on a phone-width screen too.
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.getByRole('link', { name: 'The lighthouse keeper' }).waitFor();
    await screenshot(page, '07-jobs');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${api.url}/jobs/${jobId}`);
    await page.getByTestId('timeline').waitFor();
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, '08-job-phone');

    // Keys: only the last four characters come back.
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByLabel('Key', { exact: true }).fill('AIzaFakeKeyForTheWebTest1234');
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.getByText('1234', { exact: true }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain('AIzaFakeKeyForTheWebTest');
    // A key the provider answers with 429 works: the test says so, and not as a failure.
    await page.getByLabel('Key', { exact: true }).fill('quota-web-key-5678');
    await page.getByRole('button', { name: 'Save key' }).click();
    const overQuota = page.locator('li', { hasText: '5678' });
    await overQuota.getByRole('button', { name: 'Test' }).click();
    const verdict = overQuota.getByTestId('key-check');
    await expect.poll(() => verdict.textContent()).toMatch(/^\s*valid, but rate-limited now: The key works/);
    expect(await verdict.getAttribute('class')).not.toContain('state-failed');
    // Its limits: what the provider grants it, kept by the server; empty fields keep the defaults.
    await overQuota.getByText('Limits', { exact: true }).click();
    await overQuota.getByLabel('Requests per minute').fill('30');
    await overQuota.getByLabel('Requests per day').fill('1000');
    const patched = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await overQuota.getByRole('button', { name: 'Save limits' }).click();
    expect((await patched).status()).toBe(200);
    await page.reload();
    const reloaded = page.locator('li', { hasText: '5678' });
    await reloaded.getByText('Limits', { exact: true }).click();
    expect(await reloaded.getByLabel('Requests per minute').inputValue()).toBe('30');
    expect(await reloaded.getByLabel('Requests per day').inputValue()).toBe('1000');
    expect(await reloaded.getByLabel('Tokens per minute').inputValue()).toBe('');
    await screenshot(page, '09-keys');
    await context.close();

    // Another user: no jobs, no agents, no keys, and this job's address is not theirs.
    const other = await browser.newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 } });
    const page2 = await signUp(other, api.url, 'web-e2e-other@example.com');
    await page2.getByText('No jobs yet').waitFor();
    await page2.goto(`${api.url}/jobs/${jobId}`);
    await page2.getByText('This job does not exist or is not yours.').waitFor();
    await page2.goto(`${api.url}/agents`);
    await page2.getByText('No agents yet').waitFor();
    await page2.goto(`${api.url}/credentials`);
    await page2.getByText('No keys yet').waitFor();
    // The same pages in Brazilian Portuguese, chosen from the header (and remembered).
    await page2.getByLabel('Language', { exact: true }).selectOption('pt-BR');
    await page2.getByText('Nenhuma chave ainda').waitFor();
    await page2.goto(`${api.url}/jobs`);
    await page2.getByText('Nenhum job ainda').waitFor();
    expect(await page2.locator('html').getAttribute('lang')).toBe('pt-BR');
    await screenshot(page2, '10-jobs-pt-BR');
    await other.close();
  }, 900_000);

  it('agents: edit, duplicate, export and import; API tokens shown once', async () => {
    const context = await browser.newContext({
      acceptDownloads: true,
      locale: 'en-US',
      viewport: { width: 1200, height: 900 },
    });
    const page = await signUp(context, api.url, 'web-agents@example.com');
    await page.getByRole('link', { name: 'Agents', exact: true }).click();
    await page.getByRole('link', { name: 'Create an agent' }).click();
    await page.getByLabel('Name').fill('Recipe');
    await page.getByLabel('Source language').fill('pt-BR');
    await page.getByLabel('Premise prompt').fill('Premissa em uma frase.');
    await page.getByLabel('Block structure').fill('1 bloco de ~20 palavras: história');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('link', { name: 'Recipe', exact: true }).waitFor();

    // A wrong language tag is refused in the form, with a message.
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Add a target language').fill('english');
    await page.getByRole('button', { name: 'Add language' }).click();
    await page.getByText('Use a language tag such as en-US').waitFor();
    await page.getByLabel('Add a target language').fill('en-US');
    await page.getByLabel('Add a target language').press('Enter');
    await page.getByLabel('Cultural settings for en-US').fill('US audience.');
    await page.getByLabel('Fallback model').fill('a-flash-model');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/→ en-US/).waitFor();

    await page.getByRole('button', { name: 'Duplicate' }).click();
    await page.getByRole('link', { name: 'Recipe (copy)' }).waitFor();

    const [exported] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export' }).first().click(),
    ]);
    const agent = JSON.parse(fs.readFileSync(await exported.path(), 'utf8'));
    expect(agent).toMatchObject({
      name: 'Recipe',
      language: 'pt-BR',
      target_languages: ['en-US'],
      llm_fallback_model: 'a-flash-model',
    });
    expect(agent.cultural_configs).toEqual({ 'en-US': 'US audience.' });
    await page.locator('#import-file').setInputFiles({
      name: 'imported.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ ...agent, name: 'Imported recipe' })),
    });
    await page.getByRole('link', { name: 'Imported recipe' }).waitFor();
    await page.locator('#import-file').setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('not json'),
    });
    await page.getByText('broken.json is not a JSON file exported from Bolt.').waitFor();

    // A token is shown once, then only its last four characters.
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByText('No tokens').waitFor();
    await page.getByLabel('New token name').fill('uploader');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByLabel('New token', { exact: true }).inputValue();
    expect(token).toMatch(/^bolt_pat_/);
    await page.reload();
    await page.getByText('uploader').waitFor();
    expect(await page.locator('main').textContent()).not.toContain(token);
    expect(await page.locator('main').textContent()).toContain(`…${token.slice(-4)}`);
    await screenshot(page, '11-tokens');
    await context.close();
  });

  it('cancel a running job from its page, then retry it to completion', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 } });
    const page = await signUp(context, api.url, 'web-cancel@example.com');
    // The agent through the API (the first test covers the form), as the same user.
    const login = await client(api.url)('POST', '/api/auth/login', {
      email: 'web-cancel@example.com',
      password,
    });
    const created = await client(api.url, login.json.access_token)('POST', '/api/agents', {
      name: 'Quick',
      language: 'pt-BR',
      target_languages: ['en-US'],
      premise_prompt: 'Escreva em uma frase a premissa de uma história sobre o título.',
      block_structure_prompt: '2 blocos de ~20 palavras: começo, fim',
      llm_provider: 'gemini',
      tts_provider: 'google',
      default_voices: { 'pt-BR': 'pt-BR-Neural2-A', 'en-US': 'en-US-Neural2-C' },
    });
    expect(created.status, created.text).toBe(201);
    // Slow provider answers leave time to cancel the running job.
    fake.setLatency(1500);

    await page.goto(`${api.url}/jobs/new?agent=${created.json.id}`);
    await page.getByLabel('Title').fill('A night train');
    await page.getByRole('button', { name: 'Start job' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const status = page.locator('h1 + .badge');
    await page.getByTestId('timeline').locator('[data-step="premise"]').waitFor({ timeout: 60_000 });
    // Cancel asks first, as Delete does: dismissed, nothing is sent; accepted, the job stops.
    const asked: string[] = [];
    const cancels: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/cancel')) cancels.push(request.url());
    });
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await expect
      .poll(() => asked)
      .toEqual(['Cancel this job? What is done is kept, and it can run again from where it stopped.']);
    expect(cancels).toEqual([]);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await expect.poll(() => cancels.length).toBe(1);
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 120_000 }).toBe('cancelled');
    // The timeline agrees: nothing failed or still running, the step it was at cancelled.
    const timeline = page.getByTestId('timeline');
    await expect
      .poll(() => timeline.locator('li[data-state="failed"], li[data-state="running"]').count())
      .toBe(0);
    await expect.poll(() => timeline.locator('li.step[data-state="cancelled"]').count()).toBeGreaterThan(0);
    await screenshot(page, '12-job-cancelled');
    fake.setLatency(0);

    // A cancelled job did not fail: its button says what it does.
    expect(await page.getByRole('button', { name: 'Retry from the failed step' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Run again from where it stopped' }).click();
    await expect
      .poll(() => status.getAttribute('data-state'), { timeout: 540_000, interval: 2000 })
      .toBe('completed');
    await expect.poll(() => page.locator('audio').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.locator('details.chapters button').count(), { timeout: 30_000 }).toBe(2);
    await context.close();
  }, 600_000);
});
