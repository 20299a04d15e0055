import { cues, toSrt, toVtt } from '@bolt/activities';
import { describe, expect, it } from 'vitest';

describe('subtitles from measured chunk times', () => {
  const chunks = [
    { text: 'First sentence here. A second, longer sentence follows it.', start: 0, duration: 6 },
    { text: 'Third one.', start: 6.3, duration: 1.2 },
  ];

  it('keeps each chunk’s measured start and end, sharing its time by sentence length', () => {
    const list = cues(chunks, 'en');
    expect(list.map((c) => c.text)).toEqual([
      'First sentence here.',
      'A second, longer sentence follows it.',
      'Third one.',
    ]);
    expect(list[0]?.start).toBe(0);
    expect(list[1]?.end).toBeCloseTo(6, 6);
    expect(list[1]?.start).toBeCloseTo((6 * 'First sentence here.'.length) / 57, 6);
    expect(list[2]).toMatchObject({ start: 6.3, end: 7.5 });
  });

  it('splits a sentence too long to read at once on word boundaries', () => {
    const long = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const list = cues([{ text: long, start: 0, duration: 30 }], 'en');
    expect(list.length).toBeGreaterThan(2);
    expect(list.every((c) => c.text.length <= 120)).toBe(true);
    expect(list.map((c) => c.text).join(' ')).toBe(long);
  });

  it('keeps a title with its name: "Mr." or "D." does not end a cue', () => {
    const text = 'Then Mr. Smith came. In 1822, D. Pedro I stayed. Dr. Ana left.';
    expect(cues([{ text, start: 0, duration: 6 }], 'en').map((c) => c.text)).toEqual([
      'Then Mr. Smith came.',
      'In 1822, D. Pedro I stayed.',
      'Dr. Ana left.',
    ]);
  });

  it('writes SRT and WebVTT timestamps', () => {
    const list = [{ start: 3661.5, end: 3662.25, text: 'Olá' }];
    expect(toSrt(list)).toBe('1\n01:01:01,500 --> 01:01:02,250\nOlá\n');
    expect(toVtt(list)).toBe('WEBVTT\n\n01:01:01.500 --> 01:01:02.250\nOlá\n');
  });
});
