import { agentSchema, jobRequestSchema, originalNames, withEnglishNames } from '@bolt/core';
import { describe, expect, it } from 'vitest';

describe("the original system's field names", () => {
  it('are read under English names, an English one winning when both are given', () => {
    expect(withEnglishNames({ titulo: 'A ponte', num_variacoes: 2, languages: ['pt-BR'] })).toEqual({
      title: 'A ponte',
      variations: 2,
      languages: ['pt-BR'],
    });
    expect(withEnglishNames({ titulo: 'old', title: 'new' })).toEqual({ title: 'new' });
    expect(withEnglishNames(['titulo'])).toEqual(['titulo']);
    expect(withEnglishNames(null)).toBeNull();
  });

  it('let an agent snapshot stored before the rename parse as an agent', () => {
    const agent = agentSchema.parse(
      withEnglishNames({
        name: 'Antigo',
        idioma: 'pt-BR',
        idiomas_alvo: ['en-US'],
        premise_prompt: 'p',
        block_structure_prompt: 'b',
      }),
    );
    expect(agent).toMatchObject({ language: 'pt-BR', target_languages: ['en-US'] });
    expect(agent).not.toHaveProperty('idioma');
  });

  it('map every English name the schemas use', () => {
    const english = [...Object.keys(agentSchema.shape), ...Object.keys(jobRequestSchema.shape)];
    for (const name of ['language', 'target_languages', 'title', 'variations'])
      expect(english).toContain(name);
    expect(Object.values(originalNames)).toEqual(
      expect.arrayContaining(['idioma', 'idiomas_alvo', 'titulo', 'titulos', 'num_variacoes']),
    );
  });
});
