import { jobRequestSchema } from '@bolt/core/domain';
import { checkFields, type FieldIssue, textLimits } from './field-errors.ts';
import type { JobRequest } from './types.ts';

/** What the new-job form holds: titles already split one per line, the budget as typed. */
export interface JobForm {
  titles: string[];
  /** Undefined for all of the agent's languages. */
  languages?: string[];
  /** The number input's value: empty (null) means the default, one. */
  variations: number | null | undefined;
  budget: string;
}

/** The longest title a job takes. */
export const titleMaxLength = textLimits(jobRequestSchema.shape.title).max;

/** The request fields the form shows messages for. */
export type JobField = 'title' | 'languages' | 'variations' | 'budget_usd';

/** The length of the longest title, which the title's counter shows against `titleMaxLength`. */
export const longestTitle = (titles: string[]) => Math.max(0, ...titles.map((t) => t.length));

/**
 * The jobs a new-job form asks for, one per title, made by core's `jobRequestSchema` (as the API reads
 * them), or the issues that schema finds per field. No title at all is a `title` too short; of titles
 * too long, the issue names the longest.
 */
export function jobRequests(
  form: JobForm,
): { ok: true; requests: JobRequest[] } | { ok: false; issues: Partial<Record<JobField, FieldIssue>> } {
  const budget = form.budget.trim();
  const variations = form.variations;
  const common = {
    languages: form.languages,
    variations: typeof variations === 'number' && !Number.isNaN(variations) ? variations : undefined,
    budget_usd: budget === '' ? undefined : Number(budget.replace(',', '.')),
  };
  const issues: Partial<Record<JobField, FieldIssue>> = {};
  const requests: JobRequest[] = [];
  for (const title of form.titles.length > 0 ? form.titles : ['']) {
    const input = { ...common, title };
    const found = Object.entries(checkFields(jobRequestSchema, input));
    if (found.length === 0) requests.push(jobRequestSchema.parse(input));
    for (const [field, issue] of found) {
      const known = issues[field as JobField];
      if (!known || (issue.length ?? 0) > (known.length ?? 0)) issues[field as JobField] = issue;
    }
  }
  return Object.keys(issues).length > 0 ? { ok: false, issues } : { ok: true, requests };
}
