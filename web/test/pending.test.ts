import { describe, expect, it } from 'vitest';
import { outcomeOf, type Pending, sendOrder, withoutArrived } from '../src/lib/sync/pending.ts';

const item = (clientId: string, createdAt: string, over: Partial<Pending> = {}): Pending => ({
  clientId,
  chatId: 'chat-1',
  body: clientId,
  createdAt,
  status: 'pending',
  ...over,
});

describe('the outbox', () => {
  it('sends pending messages in the order they were typed, and leaves failed ones for a retry', () => {
    const items = [
      item('b', '2025-01-01T10:00:02Z'),
      item('failed', '2025-01-01T10:00:00Z', { status: 'failed', error: 'too long' }),
      item('a', '2025-01-01T10:00:01Z'),
      item('c', '2025-01-01T10:00:02Z'),
    ];
    expect(sendOrder(items).map((i) => i.clientId)).toEqual(['a', 'b', 'c']);
  });

  it('settles a message once it arrived committed, from an ack, an event or a page, whichever comes first', () => {
    const items = [item('a', '2025-01-01T10:00:01Z'), item('b', '2025-01-01T10:00:02Z')];
    const afterEvent = withoutArrived(items, [{ chatId: 'chat-1', clientId: 'a' }]);
    expect(afterEvent.map((i) => i.clientId)).toEqual(['b']);
    // the ack of the same message, arriving later, settles nothing more
    expect(withoutArrived(afterEvent, [{ chatId: 'chat-1', clientId: 'a' }])).toEqual(afterEvent);
  });

  it('does not settle a message by a clientId that arrived in another chat', () => {
    const items = [item('a', '2025-01-01T10:00:01Z')];
    expect(withoutArrived(items, [{ chatId: 'chat-2', clientId: 'a' }])).toEqual(items);
  });

  it('sends again later when there was no answer or the server was busy, and gives up on a refusal', () => {
    expect(outcomeOf(null)).toBe('later');
    expect(outcomeOf({ ok: false, error: { code: 'unavailable', message: 'down' } })).toBe('later');
    expect(outcomeOf({ ok: false, error: { code: 'rate_limited', message: 'slow down' } })).toBe('later');
    expect(outcomeOf({ ok: false, error: { code: 'bad_request', message: 'too long' } })).toBe('failed');
    expect(outcomeOf({ ok: false, error: { code: 'forbidden', message: 'not a member' } })).toBe('failed');
  });
});
