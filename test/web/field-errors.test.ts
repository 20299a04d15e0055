import { accountSchema, jobRequestSchema, newCredentialSchema } from '@bolt/core/domain';
import { describe, expect, it } from 'vitest';
import {
  checkFields,
  counter,
  fieldAria,
  fieldMessage,
  serverFieldMessages,
  textLimits,
} from '../../web/src/lib/field-errors.ts';
import { translate } from '../../web/src/lib/i18n.ts';
import { jobRequests, longestTitle } from '../../web/src/lib/job-form.ts';

const en = (text: string, params?: Record<string, string | number>) => translate('en', text, params);
const pt = (text: string, params?: Record<string, string | number>) => translate('pt-BR', text, params);

describe('field errors', () => {
  it("reads the limits from core's schemas, through defaults", () => {
    expect(textLimits(accountSchema.shape.password)).toEqual({ min: 8, max: 200 });
    expect(textLimits(newCredentialSchema.shape.label)).toEqual({ min: 1, max: 120 });
    expect(() => textLimits(jobRequestSchema.shape.variations)).toThrow();
  });

  it('checks a form with a schema: the first issue per field, with the length typed', () => {
    expect(checkFields(accountSchema, { email: 'a@example.com', password: 'abcde' })).toEqual({
      password: { code: 'too_small', origin: 'string', limit: 8, length: 5 },
    });
    expect(checkFields(newCredentialSchema, { provider: 'gemini', key: '' }).key).toMatchObject({
      code: 'too_small',
      length: 0,
    });
    expect(checkFields(accountSchema, { email: 'a@example.com', password: 'long enough' })).toEqual({});
  });

  it('says each issue plainly, with the length now when known, in the UI language', () => {
    const short = { code: 'too_small', origin: 'string', limit: 8, length: 5 };
    expect(fieldMessage(short, en)).toBe('At least 8 characters — 5 now.');
    expect(fieldMessage(short, pt)).toBe('Pelo menos 8 caracteres — 5 agora.');
    expect(fieldMessage({ ...short, length: undefined }, en)).toBe('At least 8 characters.');
    expect(fieldMessage({ ...short, length: 0 }, en)).toBe('Fill this in.');
    expect(fieldMessage({ code: 'too_small', origin: 'string', limit: 1 }, en)).toBe('Fill this in.');
    expect(fieldMessage({ code: 'too_big', origin: 'string', limit: 120, length: 130 }, en)).toBe(
      'Up to 120 characters — 130 now.',
    );
    expect(fieldMessage({ code: 'too_big', origin: 'number', limit: 20 }, en)).toBe('Enter 20 or less.');
    expect(fieldMessage({ code: 'too_small', origin: 'array', limit: 1 }, pt)).toBe('Escolha pelo menos 1.');
    expect(fieldMessage({ code: 'invalid_value' }, pt)).toBe('Escolha uma das opções.');
    expect(fieldMessage({ code: 'custom' }, en)).toBe('This value is not accepted.');
  });

  it("says the server's zod issues its own way and keeps the server's other messages", () => {
    const details = [
      {
        field: 'password',
        message: 'Too small: expected string to have >=8 characters',
        code: 'too_small',
        origin: 'string',
        limit: 8,
      },
      { field: 'default_voices.pt-BR', message: 'espeak has no voice "x"' },
      {
        field: 'title',
        message: 'Too big: expected string to have <=500 characters',
        code: 'too_big',
        origin: 'string',
        limit: 500,
      },
    ];
    expect(serverFieldMessages(details, pt)).toEqual({
      password: 'Pelo menos 8 caracteres.',
      'default_voices.pt-BR': 'espeak has no voice "x"',
      title: 'Até 500 caracteres.',
    });
    expect(serverFieldMessages({ provider: 'gemini' }, en)).toEqual({});
  });

  it('counts characters against a limit and ties a field to its error and help', () => {
    expect(counter(12, 120)).toEqual({ text: '12 / 120', over: false });
    expect(counter(121, 120)).toEqual({ text: '121 / 120', over: true });
    expect(fieldAria('key', undefined)).toEqual({ 'aria-invalid': undefined, 'aria-describedby': undefined });
    expect(fieldAria('titles', 'Too long', 'titles-help', false)).toEqual({
      'aria-invalid': 'true',
      'aria-describedby': 'titles-help titles-error',
    });
  });

  it('names the longest of several titles too long, and no title as one missing', () => {
    const form = { variations: 1, budget: '' };
    const titles = ['ok', 'x'.repeat(612), 'y'.repeat(501)];
    expect(longestTitle(titles)).toBe(612);
    expect(jobRequests({ ...form, titles })).toEqual({
      ok: false,
      issues: { title: { code: 'too_big', origin: 'string', limit: 500, length: 612 } },
    });
    expect(jobRequests({ ...form, titles: [] })).toMatchObject({
      ok: false,
      issues: { title: { code: 'too_small' } },
    });
    expect(jobRequests({ ...form, titles: ['a', 'b'], budget: '-1' })).toMatchObject({
      ok: false,
      issues: { budget_usd: { code: 'too_small', origin: 'number' } },
    });
    const made = jobRequests({ ...form, titles: ['a', 'b'], budget: '2,5' });
    expect(made).toEqual({
      ok: true,
      requests: [
        { title: 'a', variations: 1, budget_usd: 2.5 },
        { title: 'b', variations: 1, budget_usd: 2.5 },
      ],
    });
  });
});
