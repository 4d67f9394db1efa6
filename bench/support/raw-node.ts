// The ceiling the realtime tier is measured against: a minimal Socket.IO node on the same Redis adapter, with no
// authentication, no storage and no rooms but one. `message:send` is acknowledged and broadcast to every socket at
// once, with a payload shaped like the system's message. Started twice by the benchmarks, on PORT with REDIS_URL.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

const port = Number(process.env.PORT);
const pub = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const sub = pub.duplicate();
const httpServer = createServer();
const io = new Server(httpServer, {
  transports: ['websocket'],
  adapter: createAdapter(pub, sub, { key: process.env.ADAPTER_KEY ?? 'bench-raw' }),
});
let seq = 0;
io.on('connection', (socket) => {
  void socket.join('room');
  socket.on(
    'message:send',
    (payload: { chatId: string; clientId: string; body: string }, ack: (a: unknown) => void) => {
      const message = {
        id: randomUUID(),
        chatId: payload.chatId,
        seq: ++seq,
        senderId: payload.chatId,
        clientId: payload.clientId,
        body: payload.body,
        createdAt: new Date().toISOString(),
        editedAt: null,
        deletedAt: null,
        replyTo: null,
        mentions: [],
        reactions: [],
        rev: seq,
      };
      io.to('room').emit('message:new', message);
      ack({ ok: true, message });
    },
  );
  socket.emit('session', { userId: socket.id, nodeId: `raw-${port}` });
});
httpServer.listen(port, '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => {
  io.close();
  pub.disconnect();
  sub.disconnect();
  process.exit(0);
});
