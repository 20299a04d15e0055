import type { Db } from '@bolt/data';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { HttpError } from './http.ts';

export interface LoginLimits {
  /** Attempts per client IP per window, successful or not. */
  perIp: number;
  /** Failed attempts per account per window; a success clears them. */
  perAccount: number;
  windowSeconds: number;
}

export const defaultLoginLimits: LoginLimits = { perIp: 30, perAccount: 10, windowSeconds: 15 * 60 };

/** Login throttling kept in PostgreSQL, so it holds across API replicas and restarts. */
export function loginLimiter(db: Db, limits: LoginLimits = defaultLoginLimits) {
  const common = {
    storeClient: db,
    storeType: 'knex',
    tableName: 'rate_limits',
    tableCreated: true,
    duration: limits.windowSeconds,
  };
  const byIp = new RateLimiterPostgres({ ...common, keyPrefix: 'login_ip', points: limits.perIp });
  const byAccount = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'login_account',
    points: limits.perAccount,
  });
  const tooMany = (res: unknown): never => {
    if (!(res instanceof RateLimiterRes)) throw res;
    const seconds = Math.ceil(res.msBeforeNext / 1000);
    throw new HttpError(429, 'too_many_attempts', `Too many login attempts; try again in ${seconds} s`, {
      retry_after: seconds,
    });
  };

  return {
    /** Counts an attempt; 429 when the IP or the account is over its limit. */
    async attempt(ip: string, email: string): Promise<void> {
      await byIp.consume(ip).catch(tooMany);
      const account = await byAccount.get(email.toLowerCase());
      if (account && account.consumedPoints >= limits.perAccount) tooMany(account);
    },
    async failed(email: string): Promise<void> {
      await byAccount.penalty(email.toLowerCase());
    },
    async succeeded(email: string): Promise<void> {
      await byAccount.delete(email.toLowerCase());
    },
  };
}

export type LoginLimiter = ReturnType<typeof loginLimiter>;
