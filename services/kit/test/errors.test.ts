// What a client is told when a dependency fails: every way PostgreSQL and Redis say they are gone is `unavailable`
// (retry shortly), anything else stays `internal`.
import { describe, expect, it } from 'vitest';
import { toAppError } from '../src/errors.ts';

const withCode = (code: string) => Object.assign(new Error('x'), { code });

describe('toAppError', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['PostgreSQL shutting down', withCode('57P01')],
    ['too many connections', withCode('53300')],
    ['a pool time-out', Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' })],
    ['a connection dropped mid-query', new Error('Connection terminated unexpectedly')],
    ['a connection dropped mid-transaction', new Error('Connection ended unexpectedly')],
    [
      'a rollback on a broken client',
      new Error('ROLLBACK - Client has encountered a connection error and is not queryable'),
    ],
    ['Redis gone', new Error('Connection is closed.')],
    [
      'ioredis giving up',
      Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
    ],
  ])('calls %s unavailable, with a retry hint', (_what, err) => {
    const appError = toAppError(err);
    expect(appError.code).toBe('unavailable');
    expect(appError.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('keeps a bug a bug', () => {
    expect(toAppError(new TypeError("Cannot read properties of undefined (reading 'id')")).code).toBe('internal');
    expect(toAppError(withCode('23505')).code).toBe('internal');
  });
});
