// One transaction that records changes: each takes its chat's next rev, a row in the change record, and a place in
// the chat's publishing order (given back when the transaction rolls back).
import type { Knex } from '@chat/kit';
import { insertChange, type RecordedChange, takeNextRev } from '../../db/changes.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export type ChangeRecorder = {
  trx: Knex.Transaction;
  /** Records a change and returns its rev; pass `rev` when the statement that locked the chat already took it. */
  record(change: Omit<RecordedChange, 'rev'> & { rev?: number }): Promise<number>;
  /** Takes its place in the chat's publishing order for a change a statement of the work wrote itself. */
  recorded(change: Pick<RecordedChange, 'chatId' | 'rev'>): void;
};

/**
 * `chatId`: the chat whose row the work locks, admitted through that chat's line (see admission.ts); `writer`: who
 * writes, for fair turns in that line.
 */
export async function inChangeTransaction<T>(
  deps: Pick<ChatHistoryDeps, 'db' | 'events'> & Partial<Pick<ChatHistoryDeps, 'admission'>>,
  work: (tx: ChangeRecorder) => Promise<T>,
  chatId?: string,
  writer?: string,
): Promise<T> {
  const run = () => changeTransaction(deps, work);
  return chatId && deps.admission ? deps.admission.admit(chatId, run, writer) : run();
}

async function changeTransaction<T>(
  { db, events }: Pick<ChatHistoryDeps, 'db' | 'events'>,
  work: (tx: ChangeRecorder) => Promise<T>,
): Promise<T> {
  const taken: { chatId: string; rev: number }[] = [];
  try {
    return await db.transaction((trx) =>
      work({
        trx,
        async record(change) {
          const rev = change.rev ?? (await takeNextRev(trx, change.chatId));
          this.recorded({ chatId: change.chatId, rev });
          await insertChange(trx, { ...change, rev });
          return rev;
        },
        recorded({ chatId, rev }) {
          events.hold(chatId, rev);
          taken.push({ chatId, rev });
        },
      }),
    );
  } catch (err) {
    for (const { chatId, rev } of taken) events.release(chatId, rev);
    throw err;
  }
}
