import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, signUp, startApi } from '../support/api.ts';
import { repoRoot } from '../support/env.ts';
import { ensureWebBuild, launchChromium, screenshot } from './browser.ts';

/** The id of the element that has the focus. */
const focused = (page: Page) => page.locator(':focus').getAttribute('id');

/** A field's error is next to it and tied to it: aria-invalid, and described by the error. */
async function expectError(page: Page, id: string, message: string) {
  await expect.poll(() => page.locator(`#${id}-error`).textContent()).toBe(message);
  const field = page.locator(`#${id}`);
  expect(await field.getAttribute('aria-invalid')).toBe('true');
  expect((await field.getAttribute('aria-describedby'))?.split(' ')).toContain(`${id}-error`);
}

describe('form errors in a real browser: said plainly next to their field, in the UI language', () => {
  let api: ApiHarness;
  let browser: Browser;
  let signedIn: (locale: string) => Promise<Page>;
  let agentId: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    api = await startApi();
    browser = await launchChromium();
    const user = await signUp(api.url, `forms-web-${Date.now()}@example.com`);
    const agent = await user.api(
      'POST',
      '/api/agents',
      JSON.parse(fs.readFileSync(`${repoRoot}/test/fixtures/agent.json`, 'utf8')),
    );
    expect(agent.status).toBe(201);
    agentId = agent.json.id;
    // Signed in through the API; the app reads its session from localStorage.
    const session = JSON.stringify({
      email: 'forms-web@example.com',
      access: user.tokens.access_token,
      refresh: user.tokens.refresh_token,
    });
    signedIn = async (locale) => {
      const context = await browser.newContext({ locale, viewport: { width: 1200, height: 900 } });
      contexts.push(context);
      await context.addInitScript({
        content: `localStorage.setItem('bolt.session', ${JSON.stringify(session)})`,
      });
      return context.newPage();
    };
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await api?.close();
  });

  it('sign-up with a short password says "at least 8 characters" next to it and moves the focus there', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${api.url}/signup`);
    await page.getByLabel('Email').fill('short-password@example.com');
    await page.getByLabel('Password').fill('abcde');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expectError(page, 'password', 'At least 8 characters — 5 now.');
    expect(await focused(page)).toBe('password');
    expect(await page.locator('#email').getAttribute('aria-invalid')).toBeNull();
    await screenshot(page, 'forms-sign-up');
    // Fixed as typed: the error goes away.
    await page.getByLabel('Password').fill('abcdefgh');
    await page.locator('#password-error').waitFor({ state: 'detached' });

    // An address that is none: said how one looks, and the focus goes to it, the first invalid field.
    await page.getByLabel('Email').fill('someone');
    await page.getByLabel('Password').fill('abc');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expectError(page, 'email', 'Enter an email address like name@example.com.');
    expect(await focused(page)).toBe('email');
  });

  it('counts a new job title past the limit and says so with its length', async () => {
    const page = await signedIn('en-US');
    await page.goto(`${api.url}/jobs/new?agent=${agentId}`);
    const counter = page.getByTestId('titles-count');
    await page.getByLabel('Title').fill('The lighthouse keeper');
    await expect.poll(() => counter.textContent()).toBe('21 / 500');
    expect(await counter.getAttribute('class')).not.toContain('over');
    await page.getByLabel('Title').fill('x'.repeat(779));
    await expect.poll(() => counter.textContent()).toBe('779 / 500');
    expect(await counter.getAttribute('class')).toContain('over');
    await page.getByRole('button', { name: 'Start job' }).click();
    await expectError(page, 'titles', 'Titles up to 500 characters — 779 now.');
    expect(await focused(page)).toBe('titles');
    await screenshot(page, 'forms-new-job');
    // Several titles: the longest one counts.
    await page.getByLabel('Title').fill(`A short one\n${'y'.repeat(612)}\nAnother`);
    await expect.poll(() => counter.textContent()).toBe('612 / 500');
    await expectError(page, 'titles', 'Titles up to 500 characters — 612 now.');
    expect(page.url()).toMatch(/\/jobs\/new/);
  });

  it('says why the key form cannot save, and counts the label', async () => {
    const page = await signedIn('en-US');
    await page.goto(`${api.url}/credentials`);
    await page.getByText('No keys yet').waitFor();
    await page.getByRole('button', { name: 'Save key' }).click();
    await expectError(page, 'key', 'Paste a key to save it.');
    expect(await focused(page)).toBe('key');
    await page.getByLabel('Key', { exact: true }).fill('abc');
    await expectError(page, 'key', 'At least 8 characters — 3 now.');
    await page.getByLabel('Label').fill('l'.repeat(130));
    await expect.poll(() => page.getByTestId('label-count').textContent()).toBe('130 / 120');
    await expectError(page, 'label', 'Up to 120 characters — 130 now.');
    await screenshot(page, 'forms-keys');
    // Nothing was sent.
    expect(await page.getByText('No keys yet').count()).toBe(1);
  });

  it('counts the agent name and the token name, and says what is wrong with them', async () => {
    const page = await signedIn('en-US');
    await page.goto(`${api.url}/agents/new`);
    await page.getByLabel('Name').fill('n'.repeat(125));
    await expect.poll(() => page.getByTestId('name-count').textContent()).toBe('125 / 120');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await expectError(page, 'name', 'Up to 120 characters — 125 now.');
    await expectError(page, 'premise', 'Fill this in.');
    expect(await focused(page)).toBe('name');

    await page.goto(`${api.url}/tokens`);
    await page.getByRole('button', { name: 'Create token' }).click();
    await expectError(page, 'token-name', 'Name the token, e.g. after the script that uses it.');
    expect(await focused(page)).toBe('token-name');
  });

  it('says it all in Portuguese in a pt-BR browser', async () => {
    const context = await browser.newContext({ locale: 'pt-BR' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${api.url}/signup`);
    await page.getByRole('heading', { name: 'Crie sua conta' }).waitFor();
    await page.locator('#email').fill('curta@example.com');
    await page.locator('#password').fill('abcde');
    await page.getByRole('button', { name: 'Criar conta' }).click();
    await expectError(page, 'password', 'Pelo menos 8 caracteres — 5 agora.');
    expect(await focused(page)).toBe('password');

    const signed = await signedIn('pt-BR');
    await signed.goto(`${api.url}/credentials`);
    await signed.getByRole('button', { name: 'Salvar chave' }).click();
    await expectError(signed, 'key', 'Cole uma chave para salvá-la.');
    await signed.goto(`${api.url}/jobs/new?agent=${agentId}`);
    await signed.locator('#titles').fill('x'.repeat(501));
    await signed.getByRole('button', { name: 'Iniciar job' }).click();
    await expectError(signed, 'titles', 'Títulos com até 500 caracteres — 501 agora.');
    await screenshot(signed, 'forms-pt-BR');
  });
});
