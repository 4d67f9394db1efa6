// Plain sends of one chat commit in groups. A chat's sends take turns on its row lock from taking a seq to commit, so
// a busy chat (a large group, a hot conversation) is bounded by one commit after another, each paying for the chat
// row, the statement and the commit alone. Here the sends of a chat that arrive while one of its groups is being
// written wait and then go together: one statement and one commit for all of them, each still acknowledged only once
// committed. A quiet chat's send goes at once, alone (or with the sends that came with it in one batch).
//
// A chat has at most one group being written per process, admitted through the chat's line like any other write (see
// admission.ts). The waiting sends are taken in turn from each sender, in each sender's own order, so one sender's
// backlog does not delay the others; a send waits at most `waitMs` and at most `queued` wait per chat, past which it is
// turned away as `unavailable` with a retry hint, which clients retry.
import { chatBusy } from './admission.ts';

export type SendGroupOptions = {
  /** Sends written together at most. */
  maxSize: number;
  /** Sends of one chat waiting at most. */
  queued: number;
  /** How long one may wait before it is turned away. */
  waitMs: number;
};

/** Writes a group of one chat: an outcome per send, in the group's order. */
export type GroupWriter<T, R> = (chatId: string, items: T[]) => Promise<PromiseSettledResult<R>[]>;

/** Runs a write of the chat in its turn (see admission.ts). */
export type Admit = <X>(chatId: string, write: () => Promise<X>) => Promise<X>;

type Waiting<T, R> = {
  item: T;
  writer: string;
  key: string;
  since: number;
  resolve: (value: R) => void;
  reject: (err: unknown) => void;
};

type Line<T, R> = { waiting: Waiting<T, R>[]; writing: boolean };

/**
 * `keyOf`: what two items of one group may not share (a send's clientId: the second one must see the first committed).
 */
export function createSendGroups<T, R>(
  { maxSize, queued, waitMs }: SendGroupOptions,
  keyOf: (item: T) => string,
  admit: Admit,
  write: GroupWriter<T, R>,
) {
  const lines = new Map<string, Line<T, R>>();

  /** The next group: in turn from each writer, each writer's items in order, no key twice; the rest stay. */
  function take(line: Line<T, R>): Waiting<T, R>[] {
    const now = Date.now();
    const byWriter = new Map<string, Waiting<T, R>[]>();
    const inTime: Waiting<T, R>[] = [];
    for (const w of line.waiting) {
      if (now - w.since > waitMs) {
        w.reject(chatBusy());
        continue;
      }
      inTime.push(w);
      const own = byWriter.get(w.writer);
      if (own) own.push(w);
      else byWriter.set(w.writer, [w]);
    }
    const group: Waiting<T, R>[] = [];
    const keys = new Set<string>();
    let more = true;
    while (more && group.length < maxSize) {
      more = false;
      for (const own of byWriter.values()) {
        const next = own[0];
        if (!next || keys.has(next.key)) continue;
        own.shift();
        group.push(next);
        keys.add(next.key);
        more = true;
        if (group.length === maxSize) break;
      }
    }
    const taken = new Set(group);
    line.waiting = inTime.filter((w) => !taken.has(w));
    return group;
  }

  /** The chat's next group, once what arrives in this turn of the event loop (a batch of sends) has arrived. */
  function start(chatId: string, line: Line<T, R>) {
    line.writing = true;
    setImmediate(() => writeGroup(chatId, line));
  }

  function writeGroup(chatId: string, line: Line<T, R>) {
    admit(chatId, async () => {
      const group = take(line);
      if (group.length === 0) return;
      let outcomes: PromiseSettledResult<R>[];
      try {
        outcomes = await write(
          chatId,
          group.map((w) => w.item),
        );
      } catch (err) {
        for (const w of group) w.reject(err);
        return;
      }
      group.forEach((w, i) => {
        const outcome = outcomes[i];
        if (outcome?.status === 'fulfilled') w.resolve(outcome.value);
        else w.reject(outcome ? outcome.reason : new Error('the group write gave no outcome for a send'));
      });
    })
      .catch((err: unknown) => {
        // the chat's line turned the group away: so are the sends waiting for it
        for (const w of line.waiting.splice(0)) w.reject(err);
      })
      .finally(() => {
        line.writing = false;
        if (line.waiting.length > 0) start(chatId, line);
        else lines.delete(chatId);
      });
  }

  return {
    /** The item's outcome once its group is written; `writer`: who sends it, for turns between senders. */
    add(chatId: string, item: T, writer: string): Promise<R> {
      let line = lines.get(chatId);
      if (!line) {
        line = { waiting: [], writing: false };
        lines.set(chatId, line);
      }
      if (line.waiting.length >= queued) return Promise.reject(chatBusy());
      const current = line;
      return new Promise<R>((resolve, reject) => {
        current.waiting.push({ item, writer, key: keyOf(item), since: Date.now(), resolve, reject });
        if (!current.writing) start(chatId, current);
      });
    },
    /** Sends waiting for their chat's next group, for metrics and tests. */
    waiting: () => [...lines.values()].reduce((n, l) => n + l.waiting.length, 0),
  };
}

export type SendGroups<T, R> = ReturnType<typeof createSendGroups<T, R>>;
