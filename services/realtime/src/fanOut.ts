// How a node hears what the other nodes and the services publish: the classic Redis adapter on a single Redis, the
// sharded adapter (SSUBSCRIBE/SPUBLISH, a channel per room) on a Redis Cluster, where classic Pub/Sub would copy every
// message to every shard.
import { EventEmitter } from 'node:events';
import { Cluster, type Logger, type Redis, socketIoKey } from '@chat/kit';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';

export type FanOut = {
  adapter: ReturnType<typeof createAdapter> | ReturnType<typeof createShardedAdapter>;
  /**
   * The adapter's subscription: 'close' when it may miss what is published (its Redis went away), 'ready' when it
   * listens again (the first 'ready' is the start).
   */
  subscription: Pick<EventEmitter, 'on'>;
  close(): void;
};

export function createFanOut(redis: Redis, redisPrefix: string, logger: Logger): FanOut {
  const key = socketIoKey(redisPrefix);
  if (!(redis instanceof Cluster)) {
    const subscriber = redis.duplicate();
    return {
      adapter: createAdapter(redis, subscriber, { key }),
      subscription: subscriber,
      close: () => subscriber.disconnect(),
    };
  }
  // one subscriber connection per master, moved to the new master when a replica takes over
  const subscriber = redis.duplicate([], { shardedSubscribers: true });
  const subscription = new EventEmitter();
  subscriber.on('-subscriber', () => subscription.emit('close'));
  subscriber.on('subscribersReady', () => subscription.emit('ready'));

  // The adapter subscribes a room's channel without waiting for the answer: a refusal (a master failing over) would
  // be an unhandled rejection. Refused channels are tried again until they are taken, then the node's sockets sync.
  const refused = new Set<string>();
  let retry: NodeJS.Timeout | undefined;
  const subscribe = (channel: string) =>
    subscriber.ssubscribe(channel).catch((err: Error) => {
      if (refused.size === 0) subscription.emit('close');
      refused.add(channel);
      logger.warn({ err: err.message, channel }, 'room channel not subscribed; trying again');
      retry ??= setTimeout(subscribeRefused, 1_000);
    });
  const subscribeRefused = async () => {
    retry = undefined;
    const channels = [...refused];
    refused.clear();
    await Promise.all(channels.map(subscribe));
    if (refused.size === 0) subscription.emit('ready');
  };
  const guarded = {
    on: (event: string, listener: (...args: Buffer[]) => void) => subscriber.on(event, listener),
    ssubscribe: (channel: string) => void subscribe(channel),
    sunsubscribe: (channel: string) => {
      refused.delete(channel);
      subscriber.sunsubscribe(channel).catch(() => {
        // the room is gone here; a channel left subscribed only costs a message now and then
      });
    },
  };
  return {
    // "dynamic": a node subscribes only to the rooms it holds sockets of (chats and users), so a chat's messages
    // reach only the nodes of its members; broadcasts to several rooms, joins and leaves go on the namespace channel
    adapter: createShardedAdapter(redis, guarded, { channelPrefix: key, subscriptionMode: 'dynamic' }),
    subscription,
    close: () => {
      clearTimeout(retry);
      subscriber.disconnect();
    },
  };
}
