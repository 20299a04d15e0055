import path from 'node:path';
import { ConfigError, loadConfig } from '@bolt/core';
import { describe, expect, it } from 'vitest';

describe('loadConfig', () => {
  it('runs everything embedded when nothing is set', () => {
    const config = loadConfig({});
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.S3_BUCKET).toBeUndefined();
    expect(config.PORT).toBe(8080);
    expect(config.filesDir).toBe(path.resolve('data', 'files'));
  });

  it('names the variable that has a wrong value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ BOLT_API_ONLY: 'maybe' })).toThrow(/BOLT_API_ONLY/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(ConfigError);
  });

  it('requires S3 credentials with a bucket', () => {
    expect(() => loadConfig({ S3_BUCKET: 'bolt' })).toThrow(/S3_ACCESS_KEY_ID/);
    expect(loadConfig({ S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' }).S3_BUCKET).toBe(
      'b',
    );
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ TEMPORAL_ADDRESS: '' }).TEMPORAL_ADDRESS).toBeUndefined();
  });
});
