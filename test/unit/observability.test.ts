import fs from 'node:fs';
import path from 'node:path';
import { outcomeOf, providerError } from '@bolt/activities';
import { envSchema } from '@bolt/core';
import { exportedNames } from '@bolt/core/metrics';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/env.ts';
import { promqlNames } from '../support/prometheus.ts';

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');

describe('README configuration table', () => {
  it('lists every variable envSchema reads, and no other', () => {
    const section = read('README.md').split('\n## Configuration\n')[1]?.split('\n### ')[0] ?? '';
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    const documented = new Set(
      rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1])),
    );
    expect([...documented].sort()).toEqual(Object.keys(envSchema.shape).sort());
  });
});

describe('the Grafana dashboard and the Prometheus scrape config', () => {
  const dashboard = JSON.parse(read('ops/grafana/bolt-dashboard.json'));
  const exprs: string[] = dashboard.panels.flatMap((p: { targets?: Array<{ expr: string }> }) =>
    (p.targets ?? []).map((t) => t.expr),
  );

  it("reads only metrics Bolt's registry exports, or the Temporal SDK's (checked live in test/metrics.test.ts)", () => {
    const bolt = new Set(exportedNames());
    const names = exprs.flatMap(promqlNames);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !bolt.has(n) && !n.startsWith('temporal_'))).toEqual([]);
    // Every Bolt metric is on the dashboard.
    const base = (n: string) => n.replace(/_(bucket|sum|count)$/, '');
    expect([...new Set(exportedNames().map(base))].filter((n) => !names.some((u) => base(u) === n))).toEqual(
      [],
    );
  });

  it('has latency quantiles by kind, and every panel a unique id and a Prometheus query', () => {
    for (const q of ['0.5', '0.95', '0.99'])
      expect(exprs).toContainEqual(expect.stringContaining(`histogram_quantile(${q}, sum by (le, kind)`));
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) expect(panel.targets.length).toBeGreaterThan(0);
  });

  it('scrapes the API, both workers and the Temporal server of the cluster', () => {
    const config = parse(read('ops/prometheus.yml'));
    const targets = Object.fromEntries(
      config.scrape_configs.map((c: { job_name: string; static_configs: Array<{ targets: string[] }> }) => [
        c.job_name,
        c.static_configs.flatMap((s) => s.targets),
      ]),
    );
    expect(targets).toEqual({
      'bolt-api': ['127.0.0.1:8080'],
      'bolt-worker': ['127.0.0.1:9464', '127.0.0.1:9465'],
      'temporal-server': ['127.0.0.1:8000'],
    });
  });
});

describe('provider call outcomes', () => {
  it('puts each classified provider error in its class', () => {
    const err = (kind: Parameters<typeof providerError>[0], status?: number) =>
      outcomeOf(providerError(kind, 'gemini', 'detail', undefined, { status }));
    expect(err('rate-limited', 429)).toBe('429');
    expect(err('transient', 503)).toBe('5xx');
    expect(err('transient')).toBe('other');
    expect(err('invalid-key', 401)).toBe('invalid_key');
    expect(err('permission', 403)).toBe('invalid_key');
    expect(err('safety')).toBe('blocked');
    expect(err('bad-request', 400)).toBe('other');
    expect(outcomeOf(new Error('socket hang up'))).toBe('other');
  });
});
