import { describe, expect, it } from 'vitest';
import { chapterAt, parseTimestamp, parseVttChapters } from '../../web/src/lib/chapters.ts';
import { formatClock, formatCompact } from '../../web/src/lib/format.ts';

describe('chapters of a narration (WebVTT)', () => {
  it('reads the cues the server writes: one per block, in order', () => {
    const vtt =
      'WEBVTT\n\n00:00:00.000 --> 00:00:41.250\nO gancho\n\n00:00:41.250 --> 00:01:30.000\nO contexto\n\n' +
      '00:01:30.000 --> 01:02:03.456\nO desfecho\n';
    expect(parseVttChapters(vtt)).toEqual([
      { start: 0, end: 41.25, title: 'O gancho' },
      { start: 41.25, end: 90, title: 'O contexto' },
      { start: 90, end: 3723.456, title: 'O desfecho' },
    ]);
  });

  it('takes identifiers, settings, notes, CRLF, a BOM, short timestamps and markup in its stride', () => {
    const vtt = [
      '\uFEFFWEBVTT - chapters',
      'Kind: chapters',
      '',
      'NOTE written by hand',
      'over two lines',
      '',
      'STYLE',
      '::cue { color: red }',
      '',
      'intro',
      '00:05.000 --> 00:10.500 align:start line:0',
      '<b>Part one</b> &amp; more',
      'continued',
      '',
      '',
      '',
      'broken --> timing',
      'Skipped',
      '',
      '00:00:10.500 --> 00:00:20.000',
      'Part two',
    ].join('\r\n');
    expect(parseVttChapters(vtt)).toEqual([
      { start: 5, end: 10.5, title: 'Part one & more continued' },
      { start: 10.5, end: 20, title: 'Part two' },
    ]);
  });

  it('gives nothing for text that is not WebVTT, and sorts cues by start', () => {
    expect(parseVttChapters('1\n00:00:00,000 --> 00:00:01,000\nSRT\n')).toEqual([]);
    expect(parseVttChapters('')).toEqual([]);
    expect(
      parseVttChapters('WEBVTT\n\n00:00:02.000 --> 00:00:03.000\nB\n\n00:00:00.000 --> 00:00:02.000\nA').map(
        (c) => c.title,
      ),
    ).toEqual(['A', 'B']);
    expect(parseTimestamp('00:61:00.000')).toBeUndefined();
    expect(parseTimestamp('100:00:01.500')).toBe(360_001.5);
  });

  it('knows which chapter is playing', () => {
    const chapters = [
      { start: 1, end: 5, title: 'a' },
      { start: 5, end: 9, title: 'b' },
      { start: 9, end: 12, title: 'c' },
    ];
    expect(chapterAt(chapters, 0)).toBe(-1);
    expect(chapterAt(chapters, 1)).toBe(0);
    expect(chapterAt(chapters, 4.99)).toBe(0);
    expect(chapterAt(chapters, 5)).toBe(1);
    expect(chapterAt(chapters, 20)).toBe(2);
    expect(chapterAt([], 3)).toBe(-1);
  });

  it('formats positions and large counts', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(245.9)).toBe('4:05');
    expect(formatClock(3729)).toBe('1:02:09');
    expect(formatClock(Number.NaN)).toBe('0:00');
    expect(formatCompact(950, 'en')).toBe('950');
    expect(formatCompact(21_400, 'en')).toBe('21.4K');
    expect(formatCompact(54_000, 'en')).toBe('54K');
    expect(formatCompact(1_250_000, 'en')).toBe('1.3M');
  });
});
