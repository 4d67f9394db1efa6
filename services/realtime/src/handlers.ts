// The client → server events: validated, rate limited, authorized by chat-history, and always acked.
import { randomUUID } from 'node:crypto';
import { AppError, ackErrorOf, chatRoom, NotFound, parseInput } from '@chat/kit';
import {
  type ClientToServerEvents,
  deleteMessageEvent,
  editMessageEvent,
  reactionEvent,
  readEvent,
  sendMessageEvent,
  type ServerToClientEvents,
  typingEvent,
} from '@chat/kit/contract';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { ChatHistory } from './chatHistory.ts';
import type { RealtimeMetrics } from './metrics.ts';
import { tokenBucket } from './rateLimit.ts';

export type SocketData = { userId: string; displayName: string; sessionId: string; expiresAt: number };
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<never, never>, SocketData>;

export type HandlerDeps = {
  chatHistory: ChatHistory;
  metrics: RealtimeMetrics;
  rate: { burst: number; perSecond: number };
  typingThrottleMs: number;
};

type Answer = Record<string, unknown>;

export function registerHandlers(socket: ChatSocket, deps: HandlerDeps) {
  const allow = tokenBucket(deps.rate.burst, deps.rate.perSecond);
  const { userId, displayName } = socket.data;
  const as = { userId, displayName };
  const lastTyping = new Map<string, number>();

  function on<S extends z.ZodType>(
    event: keyof ClientToServerEvents,
    schema: S,
    handle: (input: z.output<S>, reqId: string) => Promise<Answer>,
  ) {
    socket.on(event, (async (payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (a: unknown) => void) : () => {};
      const started = performance.now();
      let outcome = 'ok';
      try {
        if (!allow()) throw new AppError('rate_limited', 'Too many events; slow down');
        const answer = await handle(parseInput(schema, payload), randomUUID());
        reply({ ok: true, ...answer });
      } catch (err) {
        const answer = ackErrorOf(err);
        outcome = answer.error.code;
        reply(answer);
      } finally {
        deps.metrics.events.inc({ event, outcome });
        deps.metrics.ackSeconds.observe({ event }, (performance.now() - started) / 1000);
      }
    }) as never);
  }

  on('message:send', sendMessageEvent, async ({ chatId, clientId, body, replyTo, attachments }, reqId) => ({
    message: await deps.chatHistory.send(as, chatId, { clientId, body, replyTo, attachments }, reqId),
  }));
  on('reaction:add', reactionEvent, async ({ chatId, messageId, emoji }, reqId) => ({
    message: await deps.chatHistory.react(as, chatId, messageId, emoji, true, reqId),
  }));
  on('reaction:remove', reactionEvent, async ({ chatId, messageId, emoji }, reqId) => ({
    message: await deps.chatHistory.react(as, chatId, messageId, emoji, false, reqId),
  }));
  on('message:edit', editMessageEvent, async ({ chatId, messageId, body }, reqId) => ({
    message: await deps.chatHistory.edit(as, chatId, messageId, { body }, reqId),
  }));
  on('message:delete', deleteMessageEvent, async ({ chatId, messageId }, reqId) => ({
    message: await deps.chatHistory.remove(as, chatId, messageId, reqId),
  }));
  on('chat:read', readEvent, async ({ chatId, seq }, reqId) => {
    await deps.chatHistory.read(as, chatId, { seq }, reqId);
    return {};
  });
  on('typing', typingEvent, async ({ chatId, isTyping }) => {
    // the socket's rooms mirror chat-history's membership (joined at connect, changed by chat-history's emitter)
    if (!socket.rooms.has(chatRoom(chatId))) throw new NotFound('No such chat');
    const now = Date.now();
    if (isTyping && now - (lastTyping.get(chatId) ?? 0) < deps.typingThrottleMs) return {};
    if (isTyping) lastTyping.set(chatId, now);
    else lastTyping.delete(chatId);
    socket.to(chatRoom(chatId)).emit('typing', { chatId, userId, isTyping });
    return {};
  });
}
