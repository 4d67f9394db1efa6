// Admission of writes per chat. Writes to one chat take turns on its row lock anyway; letting hundreds of them wait
// there would hold as many database connections and starve every other chat. So a chat gets a few writes in flight,
// a bounded line behind them, and anything past that (or waiting too long) is turned away at once as `unavailable`
// with a retry hint, which clients retry.
//
// The line is fair between writers: each writer waits in a line of their own, and the chat takes one from each in
// turn. A client that comes back with a backlog of resends (its node froze, it was offline) does not make everyone
// else in the chat wait behind all of them.
import { Unavailable } from '@chat/kit';

export type AdmissionOptions = {
  /** Writes of one chat running at once. */
  inFlight: number;
  /** Writes of one chat waiting behind them. */
  queued: number;
  /** How long one may wait before it is turned away. */
  waitMs: number;
};

type Turn = () => void;
/** Writers with writes waiting, in the order the chat serves them; each with its own line. */
type Line = { running: number; waiting: number; writers: Map<string, Turn[]> };

const ANYONE = '';

/** A write turned away: its chat's line is full, or it waited too long. Clients retry after the hint. */
export const chatBusy = () => new Unavailable('This chat is very busy; try again shortly', 1);

export function createAdmission({ inFlight, queued, waitMs }: AdmissionOptions) {
  const chats = new Map<string, Line>();

  /** The next writer's first write: the writer goes to the back of the round. */
  function nextTurn(line: Line): Turn | undefined {
    for (const [writer, turns] of line.writers) {
      const turn = turns.shift();
      line.writers.delete(writer);
      if (turns.length > 0) line.writers.set(writer, turns);
      if (turn) {
        line.waiting--;
        return turn;
      }
    }
    return undefined;
  }

  function release(chatId: string, line: Line) {
    const next = nextTurn(line);
    if (next) return next();
    line.running--;
    if (line.running === 0) chats.delete(chatId);
  }

  return {
    /** `writer`: who writes (a user), for fair turns; writes without one share a line. */
    async admit<T>(chatId: string, write: () => Promise<T>, writer = ANYONE): Promise<T> {
      let line = chats.get(chatId);
      if (!line) {
        line = { running: 0, waiting: 0, writers: new Map() };
        chats.set(chatId, line);
      }
      if (line.running >= inFlight) {
        if (line.waiting >= queued) throw chatBusy();
        const current = line;
        await new Promise<void>((resolve, reject) => {
          const turn: Turn = () => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(() => {
            const turns = current.writers.get(writer);
            const at = turns?.indexOf(turn) ?? -1;
            if (turns && at >= 0) {
              turns.splice(at, 1);
              current.waiting--;
              if (turns.length === 0) current.writers.delete(writer);
            }
            reject(chatBusy());
          }, waitMs);
          const turns = current.writers.get(writer);
          if (turns) turns.push(turn);
          else current.writers.set(writer, [turn]);
          current.waiting++;
        });
      } else line.running++;
      try {
        return await write();
      } finally {
        release(chatId, line);
      }
    },
    /** Writes running and waiting, for metrics and tests. */
    load: () => [...chats.values()].reduce((n, l) => n + l.running + l.waiting, 0),
  };
}

export type Admission = ReturnType<typeof createAdmission>;
