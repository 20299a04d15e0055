import { Writable } from 'node:stream';
import { loadConfig } from '@bolt/core';
import { connectDb } from '@bolt/data';
import { jobEvents } from '@bolt/jobs';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { describe, expect, it } from 'vitest';

describe('a job’s live events', () => {
  it('end with an error event, logged, when progress cannot be read', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // Nothing listens on port 1: the database and Temporal are both unreachable.
    const db = connectDb('postgres://bolt@127.0.0.1:1/bolt');
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const services = { db, client, config: loadConfig({}), log: pino({ level: 'error' }, sink) };
    const events = [];
    try {
      for await (const e of jobEvents(
        services,
        { id: crypto.randomUUID(), owner_id: crypto.randomUUID() },
        {
          after: -1,
          signal: new AbortController().signal,
          pollMs: 10,
        },
      ))
        events.push(e);
    } finally {
      await db.destroy();
    }
    expect(events).toEqual([
      { event: 'error', data: { message: 'Live progress could not be read; reconnect to resume' } },
    ]);
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['live progress failed']);
  });
});
