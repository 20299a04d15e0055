// The fake providers in a process of their own, so that their CPU time is told apart from the worker's.
// Started by `startFakes` (support.ts) with its options in BENCH_FAKES; answers requests for counts and
// settings over the IPC channel, and stops when the channel closes.
import type { Quota } from '../../test/fakes/providers.ts';
import { type FakeRequest, type LatencyProfile, startFakeProviders } from '../../test/fakes/providers.ts';

export type FakesMessage =
  | { id: number; kind: 'stats'; from?: number; to?: number }
  | { id: number; kind: 'quota'; quota: Quota }
  | { id: number; kind: 'profile'; profile: LatencyProfile | undefined }
  | { id: number; kind: 'latency'; ms: number };

interface Counts {
  arrived: number;
  completed: number;
  refusedByQuota: number;
  /** The most requests open at once. */
  maxOpen: number;
}

/**
 * Paid requests that arrived in a time window, per API: sent, answered in full, refused by the quota,
 * and the most that were open at once.
 */
export interface FakeStats extends Counts {
  byApi: Record<string, Counts>;
}

/** The most intervals open at once. */
function maxOpen(requests: FakeRequest[]): number {
  const edges = requests.flatMap((r) => [
    [r.at, 1],
    [r.closedAt ?? Number.POSITIVE_INFINITY, -1],
  ]);
  edges.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0));
  let open = 0;
  let most = 0;
  for (const [, step] of edges) {
    open += step ?? 0;
    most = Math.max(most, open);
  }
  return most;
}

export function fakeStats(requests: FakeRequest[], from = 0, to = Number.POSITIVE_INFINITY): FakeStats {
  const paid = requests.filter((r) => r.paid && r.at >= from && r.at < to);
  const stats: FakeStats = { arrived: 0, completed: 0, refusedByQuota: 0, maxOpen: maxOpen(paid), byApi: {} };
  for (const r of paid) {
    const api = stats.byApi[r.api] ?? {
      arrived: 0,
      completed: 0,
      refusedByQuota: 0,
      maxOpen: maxOpen(paid.filter((p) => p.api === r.api)),
    };
    stats.byApi[r.api] = api;
    for (const s of [stats, api]) {
      s.arrived++;
      if (r.completed) s.completed++;
      if (r.quota) s.refusedByQuota++;
    }
  }
  return stats;
}

if (process.send) {
  const send = process.send.bind(process);
  const fake = await startFakeProviders(JSON.parse(process.env.BENCH_FAKES ?? '{}'));
  process.on('message', (m: FakesMessage) => {
    if (m.kind === 'stats') return send({ id: m.id, result: fakeStats(fake.requests, m.from, m.to) });
    if (m.kind === 'quota') fake.setQuota(m.quota);
    if (m.kind === 'profile') fake.setLatencyProfile(m.profile);
    if (m.kind === 'latency') fake.setLatency(m.ms);
    send({ id: m.id, result: null });
  });
  process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
  send({ ready: true, url: fake.url, env: fake.env });
}
