/** A quality check's outcome: `fail` is worth fixing before publishing, `warn` worth a look. */
export const verdicts = ['pass', 'warn', 'fail'] as const;
export type Verdict = (typeof verdicts)[number];

export const worstVerdict = (verdicts: Verdict[]): Verdict =>
  verdicts.includes('fail') ? 'fail' : verdicts.includes('warn') ? 'warn' : 'pass';

/** One check of a script block or a speech chunk: its name, verdict and what it found, in words a user can act on. */
export interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
}

/** A block's or a chunk's checks, with the worst of their verdicts. */
export interface CheckedPart {
  verdict: Verdict;
  checks: Check[];
}

/** `quality.<language>.json`: every check of a narration, each with a verdict and what it found. */
export interface QualityReport {
  variation: number;
  language: string;
  verdict: Verdict;
  /** What did not pass, one line each, blocks first. */
  notes: string[];
  /** The script's blocks as delivered; `before` holds the first answer's checks when it was rewritten. */
  blocks: Array<CheckedPart & { block: number; title: string; rewritten: boolean; before?: CheckedPart }>;
  /**
   * Each speech chunk's audio, in the order they are heard; where it was transcribed, the word error
   * rate of its transcript and the takes it needed.
   */
  chunks: Array<
    CheckedPart & { chunk: number; block: number; seconds: number; wordErrorRate?: number; takes?: number }
  >;
  /** Checks of the whole narration (e.g. loudness spread between chunks). */
  checks: Check[];
}

/**
 * What a narration's quality step tells its job: the verdict, where the full report is, and a few notes
 * on what did not pass ("block 2: written in pt, not en").
 */
export interface NarrationQuality {
  verdict: Verdict;
  key: string;
  notes: string[];
}

/** A job's quality, over its narrations: what the list, the API and `bolt run` show. */
export interface JobQuality {
  verdict: Verdict;
  /** "9 narrations: 8 pass, 1 warn: es-ES v2 block 3 written in pt, not es". */
  summary: string;
  narrations: Array<{ variation: number; language: string } & Omit<NarrationQuality, 'key'>>;
}

/** The job's verdict and summary from its narrations' (in the job's order). */
export function summariseQuality(narrations: JobQuality['narrations']): JobQuality {
  const verdict = worstVerdict(narrations.map((n) => n.verdict));
  const counts = (['pass', 'warn', 'fail'] as const)
    .map((v) => [v, narrations.filter((n) => n.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`);
  const flagged = narrations
    .filter((n) => n.verdict !== 'pass')
    .map((n) => `${n.language} v${n.variation} ${n.notes[0] ?? n.verdict}`);
  const total = `${narrations.length} narration${narrations.length === 1 ? '' : 's'}`;
  return {
    verdict,
    summary: `${total}: ${counts.join(', ')}${flagged.length ? `: ${flagged.join('; ')}` : ''}`,
    narrations,
  };
}
