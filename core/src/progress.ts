import type { JobStatus, Step } from './domain.ts';

/** What a job is made of, known before it starts. */
export interface JobShape {
  variations: number;
  languages: readonly string[];
}

/**
 * Weights of a job's parts: the head (start, premise, block plan, finish), each variation's script, each
 * narration (adaptation and speech, the longest work).
 */
const PART_WEIGHT = { head: 1, script: 2, narration: 3 } as const;
const HEAD_STEPS = ['start', 'premise', 'plan', 'finish'];
/** Weights of the kinds of steps within a part; kinds not listed weigh 1. */
const KIND_WEIGHT: Record<string, number> = { block: 2, tts: 4 };
/** Kinds a narration declares only once its script is planned. */
const LATER_NARRATION_KINDS = ['tts'];

/** A step's kind: the last part of its id without its number (`v1.en-US.tts-12` → `tts`). */
const kindOf = (id: string) => (id.slice(id.lastIndexOf('.') + 1) || id).replace(/-\d+$/, '');

interface Part {
  weight: number;
  /** Kinds that count even before any of their steps is declared. */
  expected: string[];
  steps: Step[];
  /** The whole part is done (a narration whose job-level step completed). */
  done?: boolean;
}

/**
 * How far a job is, 0–100, computed so that declaring new steps never lowers it: the job's parts and
 * their weights follow from its shape alone, and within a part each kind of step (blocks, speech, review…)
 * has a fixed weight that its steps, declared together, share. A completed job is at 100.
 */
export function jobPercent(steps: readonly Step[], shape: JobShape, status?: JobStatus): number {
  if (status === 'completed') return 100;
  const parts = new Map<string, Part>();
  const part = (key: string, weight: number, expected: string[] = []) => {
    const p: Part = { weight, expected, steps: [] };
    parts.set(key, p);
    return p;
  };
  const head = part('head', PART_WEIGHT.head, HEAD_STEPS);
  for (let v = 1; v <= shape.variations; v++) {
    part(`v${v}`, PART_WEIGHT.script);
    for (const language of shape.languages)
      part(`v${v}.${language}`, PART_WEIGHT.narration, LATER_NARRATION_KINDS);
  }
  for (const step of steps) {
    const [first = '', second, third] = step.id.split('.');
    // Jobs from before variations name a narration by its language alone.
    const variation = first === 'master' ? 'v1' : /^v\d+$/.test(first) ? first : 'v1';
    const language = first === variation || first === 'master' ? second : first;
    const narration = language && parts.get(`${variation}.${language}`);
    if (narration) {
      // The job's own step for a narration completes when the whole narration did.
      const jobLevel = first === variation ? third === undefined : second === undefined;
      if (jobLevel) narration.done = step.state === 'completed';
      else narration.steps.push(step);
    } else if (second === undefined) {
      if (HEAD_STEPS.includes(first)) head.steps.push(step);
    } else parts.get(variation)?.steps.push(step);
  }
  let total = 0;
  let done = 0;
  for (const p of parts.values()) {
    total += p.weight;
    done += p.weight * (p.done ? 1 : partFraction(p));
  }
  return total === 0 ? 0 : Math.floor((done / total) * 100);
}

/** Share of a part done: each kind weighs the same whether one step or forty share it. */
function partFraction(p: Part): number {
  if (p.steps.length === 0) return 0;
  const kinds = new Map<string, { declared: number; completed: number }>();
  for (const kind of p.expected) kinds.set(kind, { declared: 0, completed: 0 });
  for (const s of p.steps) {
    const k = kinds.get(kindOf(s.id)) ?? { declared: 0, completed: 0 };
    kinds.set(kindOf(s.id), k);
    k.declared++;
    if (s.state === 'completed') k.completed++;
  }
  let weight = 0;
  let done = 0;
  for (const [kind, k] of kinds) {
    const w = KIND_WEIGHT[kind] ?? 1;
    weight += w;
    if (k.declared) done += (w * k.completed) / k.declared;
  }
  return done / weight;
}
