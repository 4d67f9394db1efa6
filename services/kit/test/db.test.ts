import { describe, expect, it } from 'vitest';
import { connectionOf, createKnex } from '@chat/kit';

describe('createKnex', () => {
  it('gives the readiness check the password of the URL (knex hides it from enumeration)', async () => {
    const db = createKnex('postgres://chat:s3cret%2Fpw@db.example:5433/chat', 'chat');
    try {
      expect(connectionOf(db)).toMatchObject({
        user: 'chat',
        password: 's3cret/pw',
        host: 'db.example',
        database: 'chat',
      });
      expect({ ...connectionOf(db) }.password).toBe('s3cret/pw');
    } finally {
      await db.destroy();
    }
  });
});
