import os from 'node:os';
import { isLostWorker, pidSpace } from '@bolt/cli';
import { describe, expect, it } from 'vitest';

describe('isLostWorker', () => {
  const dead = () => false;
  const alive = () => true;

  it('judges only workers of this machine and PID namespace, never this process', () => {
    const other = `${process.pid + 1}@${pidSpace()}`;
    expect(isLostWorker(other, dead)).toBe(true);
    expect(isLostWorker(other, alive)).toBe(false);
    expect(isLostWorker(`${process.pid}@${pidSpace()}`, dead)).toBe(false);
    expect(isLostWorker(`${process.pid + 1}@another-host`, dead)).toBe(false);
    expect(isLostWorker(`${process.pid + 1}@${os.hostname()} pid:[1]`, dead)).toBe(false);
    expect(isLostWorker('not an identity', dead)).toBe(false);
  });
});
