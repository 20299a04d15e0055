// Chapters of a narration: the cues of a WebVTT file (one per script block), and which one is playing.

export interface Chapter {
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
  title: string;
}

/** Seconds in a WebVTT timestamp: `hh:mm:ss.ttt` or `mm:ss.ttt` (hours may have more digits). */
export function parseTimestamp(text: string): number | undefined {
  const m = /^(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
}

/**
 * The cues of a WebVTT file as chapters, in time order. Skips the header, NOTE, STYLE and REGION
 * blocks, cue identifiers and cue settings; joins a cue's text lines and drops its markup. A block
 * whose timing line cannot be read is skipped, as browsers do.
 */
export function parseVttChapters(vtt: string): Chapter[] {
  const text = vtt.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!/^WEBVTT(?:[ \t]|\n|$)/.test(text)) return [];
  const chapters: Chapter[] = [];
  // Blocks are separated by blank lines; the first is the header.
  for (const block of text.split(/\n[ \t]*\n/).slice(1)) {
    const lines = block.replace(/^\n+/, '').split('\n');
    if (lines.length === 0) continue;
    if (/^(NOTE|STYLE|REGION)(?:[ \t]|$)/.test(lines[0] ?? '')) continue;
    const timing = lines.findIndex((l) => l.includes('-->'));
    // The timing line is the first or, after a cue identifier, the second.
    if (timing < 0 || timing > 1) continue;
    const [from = '', rest = ''] = (lines[timing] ?? '').split('-->');
    const start = parseTimestamp(from);
    const end = parseTimestamp(rest.trim().split(/[ \t]+/)[0] ?? '');
    if (start === undefined || end === undefined) continue;
    const title = lines
      .slice(timing + 1)
      .join(' ')
      .replace(/<[^>]*>/g, '')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&nbsp;/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    chapters.push({ start, end: Math.max(start, end), title });
  }
  return chapters.sort((a, b) => a.start - b.start);
}

/** The index of the chapter playing at `time` (the last one started), or -1 before the first. */
export function chapterAt(chapters: readonly Chapter[], time: number): number {
  let found = -1;
  for (let i = 0; i < chapters.length; i++) {
    if ((chapters[i]?.start ?? Number.POSITIVE_INFINITY) <= time + 0.001) found = i;
    else break;
  }
  return found;
}
