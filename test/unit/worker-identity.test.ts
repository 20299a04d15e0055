import os from 'node:os';
import { isLostWorker, workerIdentity } from '@bolt/cli';
import { describe, expect, it } from 'vitest';

describe('isLostWorker', () => {
  const dead = () => false;
  const alive = () => true;

  it('judges only workers of this machine and PID namespace, never this process', () => {
    const other = workerIdentity(process.pid + 1);
    expect(isLostWorker(other, dead)).toBe(true);
    expect(isLostWorker(other, alive)).toBe(false);
    expect(isLostWorker(workerIdentity(), dead)).toBe(false);
    expect(isLostWorker(`${process.pid + 1}@another-host`, dead)).toBe(false);
    expect(isLostWorker(`${process.pid + 1}@${os.hostname()} pid:[1]`, dead)).toBe(false);
    expect(isLostWorker('not an identity', dead)).toBe(false);
  });
});
