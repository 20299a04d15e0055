import { type JobProgress, type JobShape, jobPercent, quotaWaitText, type Step } from '@bolt/core';

const WIDTH = 30;
const mark: Record<Step['state'], string> = {
  pending: ' ',
  running: '…',
  completed: '✓',
  failed: '✗',
  cancelled: '■',
  skipped: '–',
};

/** Why a running step is not done yet, or why a step failed. */
const why = (s: Step) =>
  s.error ??
  s.retry?.reason ??
  (s.quota && s.state === 'running' ? quotaWaitText(s.quota, Date.now()) : undefined);

function seconds(s: Step): string {
  if (!s.startedAt || !s.finishedAt) return '';
  return ` ${((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000).toFixed(1)}s`;
}

/**
 * Shows a job's steps as they change. On a terminal: an overall bar plus the steps in flight, redrawn
 * in place. Elsewhere (pipes, CI logs): one line per step that starts, finishes or fails.
 */
export class ProgressView {
  /** Each step's state and attempt as last shown. */
  private seen = new Map<string, string>();
  private drawnLines = 0;

  constructor(
    private readonly shape: JobShape,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  update(p: JobProgress): void {
    if (this.out.isTTY) this.redraw(p);
    else this.appendChanges(p);
  }

  private appendChanges(p: JobProgress): void {
    for (const s of p.steps) {
      const shown = `${s.state}/${s.attempt ?? 1}/${s.quota?.reason ?? ''}`;
      if (this.seen.get(s.id) === shown || s.state === 'pending') continue;
      this.seen.set(s.id, shown);
      const attempt = s.attempt && s.attempt > 1 ? ` (attempt ${s.attempt})` : '';
      const reason = why(s);
      this.out.write(`${mark[s.state]} ${s.label}${seconds(s)}${attempt}${reason ? ` — ${reason}` : ''}\n`);
    }
  }

  private redraw(p: JobProgress): void {
    const done = p.steps.filter((s) => s.state === 'completed').length;
    const percent = jobPercent(p.steps, this.shape, p.status);
    const filled = Math.round((percent / 100) * WIDTH);
    const lines = [
      `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${percent}% · ${done}/${p.steps.length} steps · ${p.status}`,
      ...p.steps
        .filter((s) => s.state === 'running' || s.state === 'failed')
        .map((s) => `  ${mark[s.state]} ${s.label}${why(s) ? ` — ${why(s)}` : ''}`),
    ];
    if (this.drawnLines) this.out.write(`\x1b[${this.drawnLines}A\x1b[0J`);
    this.out.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}
