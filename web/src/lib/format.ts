import { formatClock } from '@bolt/core/clock';

export { formatClock };

/**
 * How long work took: "850 ms" and "12.3 s" under a minute, then as a clock like the players' ("4:05",
 * "1:02:09"), so a duration reads the same wherever it is shown.
 */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : formatClock(s);
}

/** "512 B", "12.5 kB", "3.2 MB". */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** A time of day, "05:31", for events of the same day as the page around them. */
export function formatTime(iso: string | null | undefined, locale?: string): string {
  const d = new Date(iso ?? '');
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(locale, { timeStyle: 'short' });
}

/** A short local date-time for lists. */
export function formatDate(iso: string | null | undefined, locale?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? ''
    : d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Titles typed one per line: trimmed, blank lines dropped, duplicates kept once. */
export function parseTitles(text: string): string[] {
  return [
    ...new Set(
      text
        .split('\n')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

/** The file name in a Content-Disposition header (`filename*=UTF-8''…` or `filename="…"`). */
export function dispositionFileName(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header)?.[1];
  if (star) {
    try {
      return decodeURIComponent(star);
    } catch {
      // fall through to the plain form
    }
  }
  return /filename="?([^";]+)"?/i.exec(header)?.[1];
}

export interface ScriptBlock {
  heading: string;
  text: string;
}

/** A script as written by the job (`# Title`, then `## Block` sections) split into its blocks. */
export function splitScript(markdown: string): { title: string; blocks: ScriptBlock[] } {
  const title = /^# (.*)$/m.exec(markdown)?.[1]?.trim() ?? '';
  const blocks: ScriptBlock[] = [];
  const parts = markdown.split(/^## /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    const heading = (newline === -1 ? part : part.slice(0, newline)).trim();
    const text = newline === -1 ? '' : part.slice(newline + 1).trim();
    blocks.push({ heading, text });
  }
  return { title, blocks };
}

/** "$0.012", "$1.50" ("US$ 1,50" in pt-BR): small amounts keep two significant digits. */
export function formatUsd(n: number, locale = 'en'): string {
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    ...(n > 0 && n < 0.1 ? { maximumSignificantDigits: 2 } : {}),
  }).format(n);
}

/** A large count in short form for the locale: "950", "21K" / "21 mil", "1.2M". */
export function formatCompact(n: number, locale?: string): string {
  if (!Number.isFinite(n)) return '';
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}
