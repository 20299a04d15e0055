import { chunkText } from '@bolt/core';
import { describe, expect, it } from 'vitest';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('chunkText', () => {
  const pt =
    'A ponte de Alcântara foi construída pelos romanos. Ela atravessa o rio Tejo há quase dois mil anos! Quem a construiu? '.repeat(
      40,
    );

  it('keeps every chunk under the byte limit and loses no text', () => {
    const chunks = chunkText(pt, 500, 'pt-BR');
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(bytes(c)).toBeLessThanOrEqual(500);
    expect(chunks.join(' ').replace(/\s+/g, ' ')).toBe(pt.replace(/\s+/g, ' ').trim());
  });

  it('splits on sentence boundaries when sentences fit', () => {
    for (const c of chunkText(pt, 500, 'pt-BR')) expect(c).toMatch(/[.!?]$/);
  });

  it('counts bytes, not characters, for CJK', () => {
    const zh = '阿尔坎塔拉桥是罗马人建造的。它横跨塔霍河已有近两千年。'.repeat(60);
    const chunks = chunkText(zh, 300, 'zh-CN');
    for (const c of chunks) expect(bytes(c)).toBeLessThanOrEqual(300);
    expect(chunks.join('')).toBe(zh);
    expect(chunks.every((c) => c.endsWith('。'))).toBe(true);
  });

  it("fills Google's 5,000-byte requests with Japanese, ending each on a sentence", () => {
    const ja = 'アルカンタラ橋はローマ人によって建てられた。二千年近くタホ川に架かっている。'.repeat(300);
    const chunks = chunkText(ja, 5000, 'ja-JP');
    for (const c of chunks) expect(bytes(c)).toBeLessThanOrEqual(5000);
    // Every chunk but the last is nearly full: sentences are about 60 bytes.
    for (const c of chunks.slice(0, -1)) expect(bytes(c)).toBeGreaterThan(4900);
    expect(chunks.join('')).toBe(ja);
  });

  it('handles Devanagari sentences (danda) under the limit', () => {
    const hi = 'अलकांतारा पुल रोमनों ने बनाया था। यह लगभग दो हज़ार वर्षों से नदी पार करता है। '.repeat(40);
    const chunks = chunkText(hi, 400, 'hi-IN');
    for (const c of chunks) expect(bytes(c)).toBeLessThanOrEqual(400);
    expect(chunks.every((c) => c.endsWith('।'))).toBe(true);
  });

  it('splits an over-long sentence between words, never inside one', () => {
    const words = Array.from({ length: 300 }, (_, i) => `palavra${i}`);
    const chunks = chunkText(words.join(' '), 200);
    for (const c of chunks) expect(bytes(c)).toBeLessThanOrEqual(200);
    expect(chunks.flatMap((c) => c.split(' '))).toEqual(words);
  });

  it('rejects a limit too small to hold a character', () => {
    expect(() => chunkText('abc', 2)).toThrow(RangeError);
  });
});
