import { formatTime } from './format.ts';
import { type Locale, translate } from './i18n.ts';
import type { Step, StepState, StepUsage } from './types.ts';

/** Steps that share an id prefix (`master`, `en-US`, later `v2.en-US`…), in the order they first appear. */
export interface StepGroup {
  key: string;
  title: string;
  state: StepState;
  steps: Step[];
  counts: Record<StepState, number>;
  startedAt?: string;
  finishedAt?: string;
}

/** The group a step belongs to: everything before the last dot of its id; `job` for ids without one. */
export function groupKey(stepId: string): string {
  const dot = stepId.lastIndexOf('.');
  return dot > 0 ? stepId.slice(0, dot) : 'job';
}

const languagePattern = /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?$/;

/**
 * A readable name for a group key in the UI's language: "Master script", "Variation 2 / English (United
 * States) · en-US", an edit round with the time it started, or the key.
 */
export function groupTitle(key: string, locale: Locale = 'en', startedAt?: string): string {
  const t = (text: string, params?: Record<string, string>) => translate(locale, text, params);
  if (key === 'job') return t('Job');
  if (key === 'master') return t('Master script');
  return key
    .split('.')
    .map((part) => {
      const variation = /^v(\d+)$/.exec(part);
      if (variation) return `${t('Variation')} ${variation[1]}`;
      if (isEditRound(part))
        return startedAt ? t('Edit · {when}', { when: formatTime(startedAt, locale) }) : t('Edit');
      if (!languagePattern.test(part)) return part;
      try {
        const name = new Intl.DisplayNames([locale], { type: 'language' }).of(part);
        return name && name !== part ? `${name} · ${part}` : part;
      } catch {
        return part;
      }
    })
    .join(' / ');
}

/** An edit round's part of a step id (`v1.en-US.edit-t4x2k1-0.tts-3`): its steps beside the first round's. */
const isEditRound = (part: string | undefined) => part !== undefined && /^edit-[0-9a-z]+-\d+$/.test(part);

/**
 * One state for several steps: failed beats running beats cancelled; completed only when all are; a group
 * whose steps were all skipped was skipped; one partly done and not stopped is still running.
 */
export function combinedState(steps: readonly Step[]): StepState {
  const any = (state: StepState) => steps.some((s) => s.state === state);
  if (any('failed')) return 'failed';
  if (any('running')) return 'running';
  if (any('cancelled')) return 'cancelled';
  if (steps.length > 0 && steps.every((s) => s.state === 'completed')) return 'completed';
  if (steps.length > 0 && steps.every((s) => s.state === 'skipped')) return 'skipped';
  if (any('skipped')) return 'cancelled';
  if (any('completed')) return 'running';
  return 'pending';
}

/** States in which a step or group has stopped for good: its duration no longer grows. */
const settled: readonly StepState[] = ['completed', 'failed', 'cancelled', 'skipped'];

const earliest = (a: string | undefined, b: string | undefined) => (!a ? b : !b ? a : a < b ? a : b);
const latest = (a: string | undefined, b: string | undefined) => (!a ? b : !b ? a : a > b ? a : b);

/**
 * Where a group sits: the job first, then each variation in turn (the master script is variation 1's)
 * followed by its narrations in the job's language order; groups of unknown shape last.
 */
function groupRank(key: string, languages: readonly string[]): number[] {
  if (key === 'job') return [0];
  const [first = '', language, round] = key.split('.');
  const variation = first === 'master' ? 1 : Number(/^v(\d+)$/.exec(first)?.[1] ?? 0);
  // Jobs from before variations have narration groups named by their language alone.
  if (!variation) return languagePattern.test(first) ? [1, 1, rankOf(first, languages)] : [2];
  // A narration's edit rounds follow it, in the order they arrive.
  return [
    1,
    variation,
    language === undefined ? -1 : rankOf(language, languages),
    isEditRound(round) ? 1 : 0,
  ];
}

const rankOf = (language: string, languages: readonly string[]) =>
  languages.includes(language) ? languages.indexOf(language) : languages.length;

const byRank = (a: number[], b: number[]): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d) return d;
  }
  return 0;
};

/**
 * Groups a job's steps by id prefix, with a state and counts per group: the job, then each variation
 * with its narrations in `languages`' order (the job's), whatever order the steps arrive in; steps keep
 * the workflow's order within a group.
 */
export function groupSteps(
  steps: readonly Step[],
  locale: Locale = 'en',
  languages: readonly string[] = [],
): StepGroup[] {
  const groups = new Map<string, StepGroup>();
  for (const step of steps) {
    const key = groupKey(step.id);
    let group = groups.get(key);
    if (!group) {
      group = {
        key,
        title: '',
        state: 'pending',
        steps: [],
        counts: { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, skipped: 0 },
      };
      groups.set(key, group);
    }
    group.steps.push(step);
    group.counts[step.state] = (group.counts[step.state] ?? 0) + 1;
    group.startedAt = earliest(group.startedAt, step.startedAt);
    group.finishedAt = latest(group.finishedAt, step.finishedAt);
  }
  for (const group of groups.values()) {
    group.title = groupTitle(group.key, locale, group.startedAt);
    group.state = combinedState(group.steps);
    if (!settled.includes(group.state)) group.finishedAt = undefined;
  }
  return [...groups.values()].sort((a, b) =>
    byRank(groupRank(a.key, languages), groupRank(b.key, languages)),
  );
}

/** Milliseconds a step took, or has taken so far when still running; undefined before it starts. */
export function stepDurationMs(
  step: Pick<Step, 'startedAt' | 'finishedAt'>,
  now: number,
): number | undefined {
  if (!step.startedAt) return undefined;
  const start = Date.parse(step.startedAt);
  const end = step.finishedAt ? Date.parse(step.finishedAt) : now;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : undefined;
}

/** What one step used, summed over its calls (a step may call several providers). */
export interface StepUsageSummary {
  tokens: number;
  chars: number;
  costUsd: number;
  paid: number;
  cached: number;
}

/** Usage ledger rows (one per step × provider × model) summed per step id. */
export function usageByStepId(
  rows: ReadonlyArray<
    Pick<
      StepUsage,
      'step' | 'tokens_in' | 'tokens_out' | 'chars' | 'cost_usd' | 'paid_calls' | 'cached_calls'
    >
  >,
): Record<string, StepUsageSummary> {
  const out: Record<string, StepUsageSummary> = {};
  for (const r of rows) {
    const s = out[r.step] ?? { tokens: 0, chars: 0, costUsd: 0, paid: 0, cached: 0 };
    out[r.step] = s;
    s.tokens += (r.tokens_in ?? 0) + (r.tokens_out ?? 0);
    s.chars += r.chars ?? 0;
    s.costUsd += r.cost_usd ?? 0;
    s.paid += r.paid_calls;
    s.cached += r.cached_calls;
  }
  return out;
}
