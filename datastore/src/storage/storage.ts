import type { Readable } from 'node:stream';

/** Object storage for every text and audio artifact. Keys are relative, slash-separated paths. */
export interface Storage {
  put(key: string, body: Buffer | string, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** The object, or undefined when it does not exist: one round trip where size-then-get takes two. */
  find(key: string): Promise<Buffer | undefined>;
  /** Streams an object; `range` is inclusive, as in HTTP. */
  stream(key: string, range?: { start: number; end: number }): Promise<Readable>;
  /** Size in bytes, or undefined when the object does not exist. */
  size(key: string): Promise<number | undefined>;
  deletePrefix(prefix: string): Promise<void>;
  /** Resolves when the store answers (readiness checks); rejects with why it does not. */
  reachable(): Promise<void>;
}

export class StorageKeyError extends Error {
  override name = 'StorageKeyError';
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Rejects keys that could escape the storage root (`..`, absolute paths, odd characters). */
export function assertSafeKey(key: string): string {
  const parts = key.split('/');
  if (key.length > 512 || parts.some((p) => !SEGMENT.test(p) || p.includes('..'))) {
    throw new StorageKeyError(`invalid storage key: ${JSON.stringify(key.slice(0, 80))}`);
  }
  return key;
}
