import fs from 'node:fs';
import path from 'node:path';
import { placeholders } from '@bolt/core/placeholders';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';
import { pickLocale, translate } from '../../web/src/lib/i18n.ts';
import { ptBR } from '../../web/src/lib/locales/pt-BR.ts';
import { repoRoot } from '../support/env.ts';

/** Core modules that word a text the web shows, passing each literal English text to its translator. */
const coreTextSources = ['core/src/quota.ts'];

/** Every literal text passed to t() in the app's sources, and in the core modules it words texts with. */
function textsInSources(): string[] {
  const dir = path.join(repoRoot, 'web/src');
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => /\.(svelte|ts)$/.test(file))
    .map((file) => path.join(dir, file))
    .concat(coreTextSources.map((file) => path.join(repoRoot, file)));
  const texts = new Set<string>();
  for (const file of files) {
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\bt\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g))
      texts.add((m[1] ?? m[2] ?? '').replace(/\\'/g, "'"));
  }
  return [...texts];
}

/** Attributes whose text a user reads (or a screen reader says). */
const readAttributes = /^(placeholder|title|aria-label|alt|label)$/;
/** Text a template may show as it is in every language: the brand, separators, code and data samples. */
const sameInEveryLanguage = new Set([
  '⚡ Bolt',
  '· Bolt',
  'Authorization: Bearer bolt_pat_…',
  'en-US',
  'Tejo',
  'Téjo',
]);

/** Words written into the Svelte templates themselves (not through t()), with their file. */
function textsInTemplates(): string[] {
  const dir = path.join(repoRoot, 'web/src');
  const found: string[] = [];
  const visit = (node: unknown, file: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, file);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; name?: string; data?: string; value?: unknown };
    const texts =
      n.type === 'Text'
        ? [n.data ?? '']
        : n.type === 'Attribute' && readAttributes.test(n.name ?? '') && Array.isArray(n.value)
          ? (n.value as Array<{ type: string; data?: string }>)
              .filter((v) => v.type === 'Text')
              .map((v) => v.data ?? '')
          : [];
    for (const text of texts.map((t) => t.replace(/\s+/g, ' ').trim()))
      if (/\p{L}{2}/u.test(text) && !sameInEveryLanguage.has(text)) found.push(`${file}: ${text}`);
    for (const [key, value] of Object.entries(n))
      if (key !== 'value' || n.type !== 'Attribute') visit(value, file);
  };
  for (const file of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (!file.endsWith('.svelte')) continue;
    visit(parse(fs.readFileSync(path.join(dir, file), 'utf8'), { modern: true }).fragment, file);
  }
  return found;
}

describe('UI languages', () => {
  it('has no text written into a template: everything a user reads goes through t()', () => {
    expect(textsInTemplates()).toEqual([]);
  });

  it('has a pt-BR text for every English text the app shows, with the same placeholders', () => {
    const texts = textsInSources();
    expect(texts.length).toBeGreaterThan(100);
    expect(texts.filter((t) => !(t in ptBR))).toEqual([]);
    expect(texts).toContain('waiting for quota ({key}, {when})');
    for (const [en, pt] of Object.entries(ptBR)) expect(placeholders(pt), en).toEqual(placeholders(en));
  });

  it('translates with placeholders, falls back to English, and starts in the browser language', () => {
    expect(translate('pt-BR', 'Start {count} jobs', { count: 3 })).toBe('Iniciar 3 jobs');
    expect(translate('en', 'Start {count} jobs', { count: 3 })).toBe('Start 3 jobs');
    expect(translate('pt-BR', 'Not translated {x}', { x: 1 })).toBe('Not translated 1');
    expect(pickLocale(null, ['pt-BR', 'en'])).toBe('pt-BR');
    expect(pickLocale(null, ['en-US'])).toBe('en');
    expect(pickLocale('en', ['pt-BR'])).toBe('en');
  });
});
