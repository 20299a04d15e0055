/** "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const m = Math.floor(total / 60);
  if (m < 60) return `${m} min ${String(total % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** "512 B", "12.5 kB", "3.2 MB". */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** A short local date-time for lists. */
export function formatDate(iso: string | null | undefined, locale?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? ''
    : d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The file name an artifact downloads as, mirroring the server's Content-Disposition. */
export function artifactFileName(a: { kind: string; language: string | null; content_type: string }): string {
  const ext = a.content_type.startsWith('text/markdown')
    ? 'md'
    : a.content_type.startsWith('text/plain')
      ? 'txt'
      : a.content_type === 'audio/mpeg'
        ? 'mp3'
        : a.content_type === 'audio/wav'
          ? 'wav'
          : a.content_type === 'application/json'
            ? 'json'
            : 'bin';
  const base = a.kind === 'audio' ? 'narration' : a.kind;
  return a.language ? `${base}.${a.language}.${ext}` : `${base}.${ext}`;
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
