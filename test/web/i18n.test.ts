import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickLocale, placeholders, translate } from '../../web/src/lib/i18n.ts';
import { ptBR } from '../../web/src/lib/locales/pt-BR.ts';
import { repoRoot } from '../support/env.ts';

/** Every literal text passed to t() in the app's sources. */
function textsInSources(): string[] {
  const dir = path.join(repoRoot, 'web/src');
  const texts = new Set<string>();
  for (const file of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (!/\.(svelte|ts)$/.test(file)) continue;
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const m of source.matchAll(/\bt\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g))
      texts.add((m[1] ?? m[2] ?? '').replace(/\\'/g, "'"));
  }
  return [...texts];
}

describe('UI languages', () => {
  it('has a pt-BR text for every English text the app shows, with the same placeholders', () => {
    const texts = textsInSources();
    expect(texts.length).toBeGreaterThan(100);
    expect(texts.filter((t) => !(t in ptBR))).toEqual([]);
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
