// Names shared by everything that talks to the Socket.IO cluster through Redis (realtime nodes, emitters).

/** Every socket of a user is in this room. */
export const userRoom = (userId: string) => `user:${userId}`;
/** Every socket of every member of a chat is in this room. */
export const chatRoom = (chatId: string) => `chat:${chatId}`;
/** The Redis key (channel prefix) of the Socket.IO adapter and emitters; all parties must agree on it. */
export const socketIoKey = (redisPrefix: string) => `${redisPrefix}:socket.io`;
/**
 * The start of every presence key. Presence scripts touch several keys at once (a user's sockets, the online set, a
 * node's sockets), so on a Redis Cluster they must share a hash slot: the hash tag puts them all in one.
 */
export const presenceKeyPrefix = (redisPrefix: string) => `{${redisPrefix}:presence}`;
/** The sorted set of a user's live sockets (scored by expiry); a user with none that is unexpired is offline. */
export const presenceSocketsKey = (redisPrefix: string, userId: string) =>
  `${presenceKeyPrefix(redisPrefix)}:user:${userId}`;
