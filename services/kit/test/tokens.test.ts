import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTokenVerifier, DEV_KEY_DIR, TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER } from '@chat/kit';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';

const privateKey = readFileSync(path.join(DEV_KEY_DIR, 'jwt-private.pem'), 'utf8');
const publicKey = readFileSync(path.join(DEV_KEY_DIR, 'jwt-public.pem'), 'utf8');
const options = { algorithm: TOKEN_ALGORITHM, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE } as const;

const sign = (claims: Record<string, unknown>, expiresIn: number | null = 60) =>
  jwt.sign(claims, privateKey, { ...options, ...(expiresIn === null ? {} : { expiresIn }) });

const statusOf = (fn: () => unknown) => {
  try {
    fn();
    return 200;
  } catch (err) {
    return (err as { status?: number }).status ?? 500;
  }
};

describe('the shared access-token verifier', () => {
  const verify = createTokenVerifier(publicKey);

  it('accepts a token with exp, a UUID subject and a session', () => {
    const sub = randomUUID();
    const sid = randomUUID();
    const principal = verify(sign({ sub, sid, name: 'Ann', adm: true }));
    expect(principal).toMatchObject({ userId: sub, sessionId: sid, displayName: 'Ann', isAdmin: true });
  });

  it('refuses a token without exp with 401', () => {
    expect(statusOf(() => verify(sign({ sub: randomUUID(), sid: randomUUID() }, null)))).toBe(401);
  });

  it('refuses a subject that is not a UUID with 401', () => {
    for (const sub of ['admin', '', '1', 'not-a-uuid-0000-0000-0000-000000000000']) {
      expect(statusOf(() => verify(sign({ sub, sid: randomUUID() })))).toBe(401);
    }
    expect(statusOf(() => verify(sign({ sid: randomUUID() })))).toBe(401);
  });

  it('refuses a token without a session with 401', () => {
    expect(statusOf(() => verify(sign({ sub: randomUUID() })))).toBe(401);
    expect(statusOf(() => verify(sign({ sub: randomUUID(), sid: 'x' })))).toBe(401);
  });

  it('refuses a token of an ended session with 401', () => {
    const sid = randomUUID();
    const ended = new Set([sid]);
    const checking = createTokenVerifier(publicKey, ended);
    expect(statusOf(() => checking(sign({ sub: randomUUID(), sid })))).toBe(401);
    expect(statusOf(() => checking(sign({ sub: randomUUID(), sid: randomUUID() })))).toBe(200);
  });

  it('refuses expired, foreign and malformed tokens with 401', () => {
    expect(statusOf(() => verify(sign({ sub: randomUUID(), sid: randomUUID() }, -10)))).toBe(401);
    expect(statusOf(() => verify('abc'))).toBe(401);
    expect(
      statusOf(() => verify(jwt.sign({ sub: randomUUID(), sid: randomUUID() }, 'secret', { expiresIn: 60 }))),
    ).toBe(401);
  });
});
