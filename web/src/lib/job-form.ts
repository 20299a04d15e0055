import { jobRequestSchema } from '@bolt/core/domain';
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
export const titleMaxLength = jobRequestSchema.shape.title.maxLength ?? 500;

/** The request fields the form shows messages for. */
export type JobField = 'title' | 'languages' | 'variations' | 'budget_usd';

/**
 * The jobs a new-job form asks for, one per title, made by core's `jobRequestSchema` (as the API reads
 * them), or the fields that schema refuses. No title at all is a refused `title`.
 */
export function jobRequests(
  form: JobForm,
): { ok: true; requests: JobRequest[] } | { ok: false; invalid: JobField[] } {
  const budget = form.budget.trim();
  const variations = form.variations;
  const common = {
    languages: form.languages,
    variations: typeof variations === 'number' && !Number.isNaN(variations) ? variations : undefined,
    budget_usd: budget === '' ? undefined : Number(budget.replace(',', '.')),
  };
  const invalid = new Set<JobField>();
  const requests: JobRequest[] = [];
  for (const title of form.titles.length > 0 ? form.titles : ['']) {
    const parsed = jobRequestSchema.safeParse({ ...common, title });
    if (parsed.success) requests.push(parsed.data);
    else for (const issue of parsed.error.issues) invalid.add(issue.path[0] as JobField);
  }
  return invalid.size > 0 ? { ok: false, invalid: [...invalid] } : { ok: true, requests };
}
