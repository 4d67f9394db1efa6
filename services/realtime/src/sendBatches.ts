// Sends go to chat-history together: the sends this node's sockets make in one turn of its event loop share a request,
// and its answer streams each send's outcome as soon as it is known (one waiting for a busy chat holds up no other's
// ack). Under load that is one request for many sends instead of one each; a send made alone goes at once, alone.
import { errorOfAnswer, type InternalClient, Unavailable } from '@chat/kit';
import { type MessageWithRev, SEND_BATCH_PATH, type SendBatchLine, type SendBatchRequest } from '@chat/kit/contract';

export type SendItem = SendBatchRequest['sends'][number];

type Pending = { item: SendItem; resolve: (message: MessageWithRev) => void; reject: (err: Error) => void };

// chat-history takes at most 100 sends and 64 KiB of JSON per request. A send's JSON is at most 6 bytes per character
// of the text in it (escapes), plus its ids (UUIDs, checked when the socket sent them) and the keys around them.
const MAX_SENDS = 100;
const MAX_BYTES = 63_000;
type Sent = { clientId?: string; body?: string; replyTo?: string; attachments?: unknown[] };
function sizeOf({ displayName, chatId, requestId = '', message }: SendItem): number {
  const { clientId = '', body = '', replyTo = '', attachments = [] } = message as Sent;
  const text = displayName.length + requestId.length + clientId.length + body.length;
  return 300 + chatId.length + replyTo.length + 40 * attachments.length + 6 * text;
}

export function createSendBatches(call: InternalClient) {
  let waiting: Pending[] = [];
  let scheduled = false;

  function flush() {
    scheduled = false;
    const all = waiting;
    waiting = [];
    let batch: Pending[] = [];
    let bytes = 0;
    for (const pending of all) {
      const size = sizeOf(pending.item);
      if (batch.length === MAX_SENDS || (batch.length > 0 && bytes + size > MAX_BYTES)) {
        dispatch(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(pending);
      bytes += size;
    }
    if (batch.length > 0) dispatch(batch);
  }

  function dispatch(batch: Pending[]) {
    const open = new Set(batch.keys());
    const onLine = (line: unknown) => {
      const { i, status, body, retryAfter } = line as SendBatchLine;
      const pending = batch[i];
      if (!pending || !open.delete(i)) return;
      if (status >= 200 && status < 300) pending.resolve(body as MessageWithRev);
      else pending.reject(errorOfAnswer(status, body, retryAfter));
    };
    const body: SendBatchRequest = { sends: batch.map((p) => p.item) };
    // a send not answered (the answer was cut off) may have been made: its client sends it again with its clientId
    const rejectOpen = (err: Error) => {
      for (const i of open) batch[i]?.reject(err);
    };
    call(SEND_BATCH_PATH, { method: 'POST', body, onLine }).then(
      () => {
        if (open.size > 0) rejectOpen(new Unavailable('chat-history did not answer this send'));
      },
      (err: Error) => rejectOpen(err),
    );
  }

  return function send(item: SendItem): Promise<MessageWithRev> {
    return new Promise((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  };
}
