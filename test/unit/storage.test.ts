import fs from 'node:fs';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { LocalStorage, type Storage, StorageKeyError } from '@bolt/data';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/env.ts';

describe('LocalStorage', () => {
  it('stores, reads, ranges and deletes by prefix', async () => {
    const root = tempDir('storage');
    const storage: Storage = new LocalStorage(root);
    await storage.put('jobs/a/script.md', 'Olá, Alcântara', 'text/markdown');
    expect((await storage.get('jobs/a/script.md')).toString()).toBe('Olá, Alcântara');
    expect(await storage.size('jobs/a/script.md')).toBe(Buffer.byteLength('Olá, Alcântara'));
    expect(await storage.size('jobs/a/missing.md')).toBeUndefined();
    expect((await storage.find('jobs/a/script.md'))?.toString()).toBe('Olá, Alcântara');
    expect(await storage.find('jobs/a/missing.md')).toBeUndefined();
    expect(await text(await storage.stream('jobs/a/script.md', { start: 0, end: 1 }))).toBe('Ol');
    await storage.deletePrefix('jobs/a');
    expect(await storage.size('jobs/a/script.md')).toBeUndefined();
    expect(fs.readdirSync(root)).toEqual(['jobs']);
  });

  it('rejects keys that would escape its root', async () => {
    const root = tempDir('storage');
    const storage: Storage = new LocalStorage(path.join(root, 'files'));
    fs.writeFileSync(path.join(root, 'secret.txt'), 'no');
    for (const key of [
      '../secret.txt',
      'jobs/../../secret.txt',
      '/etc/passwd',
      'jobs//x',
      'jobs/..',
      '.hidden',
      'a\\..\\b',
    ]) {
      await expect(storage.get(key), key).rejects.toBeInstanceOf(StorageKeyError);
      await expect(storage.put(key, 'x', 'text/plain'), key).rejects.toBeInstanceOf(StorageKeyError);
    }
    expect(fs.readFileSync(path.join(root, 'secret.txt'), 'utf8')).toBe('no');
  });
});
