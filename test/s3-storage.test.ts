import { type ChildProcess, spawn } from 'node:child_process';
import { text } from 'node:stream/consumers';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '@bolt/cli';
import { loadConfig } from '@bolt/core';
import { createStorage, S3Storage, type Storage, StorageKeyError } from '@bolt/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motoServer } from '../scripts/toolchain.mjs';

// A real S3 wire-protocol server (moto) on loopback, reached through the official AWS SDK.
describe('S3Storage against an S3-compatible server', () => {
  let server: ChildProcess;
  let storage: Storage;

  beforeAll(async () => {
    const binary = motoServer();
    if (!binary) throw new Error('moto is not installed: run `node scripts/prepare.mjs --test`');
    const port = await freePort();
    server = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    const env = {
      S3_BUCKET: 'bolt-test',
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_ACCESS_KEY_ID: 'test',
      S3_SECRET_ACCESS_KEY: 'test-secret',
    };
    const client = new S3Client({
      endpoint: env.S3_ENDPOINT,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
    });
    for (let i = 0; ; i++) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: env.S3_BUCKET }));
        break;
      } catch (err) {
        if (i > 100) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    storage = createStorage(loadConfig(env));
  });
  afterAll(() => {
    server?.kill();
  });

  it('is chosen by configuration', () => {
    expect(storage).toBeInstanceOf(S3Storage);
  });

  it('stores, reads, ranges and deletes by prefix', async () => {
    const body = Buffer.from('Olá, Alcântara — narração');
    await storage.put('jobs/j1/scripts/pt-BR.md', body, 'text/markdown');
    await storage.put('jobs/j1/audio/pt-BR.mp3', Buffer.alloc(2048, 7), 'audio/mpeg');
    await storage.put('jobs/j2/premise.txt', 'other job', 'text/plain');
    expect(await storage.get('jobs/j1/scripts/pt-BR.md')).toEqual(body);
    expect(await storage.size('jobs/j1/audio/pt-BR.mp3')).toBe(2048);
    expect(await storage.size('jobs/j1/missing.md')).toBeUndefined();
    expect((await storage.find('jobs/j1/audio/pt-BR.mp3'))?.length).toBe(2048);
    expect(await storage.find('jobs/j1/missing.md')).toBeUndefined();
    expect(await text(await storage.stream('jobs/j1/scripts/pt-BR.md', { start: 0, end: 1 }))).toBe('Ol');
    await storage.deletePrefix('jobs/j1');
    expect(await storage.size('jobs/j1/scripts/pt-BR.md')).toBeUndefined();
    expect(await storage.size('jobs/j1/audio/pt-BR.mp3')).toBeUndefined();
    expect((await storage.get('jobs/j2/premise.txt')).toString()).toBe('other job');
  });

  it('rejects keys that are not plain relative paths', async () => {
    await expect(storage.get('../other-bucket/x')).rejects.toBeInstanceOf(StorageKeyError);
    await expect(storage.put('jobs/../../x', 'x', 'text/plain')).rejects.toBeInstanceOf(StorageKeyError);
  });
});
