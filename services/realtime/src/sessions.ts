// Sockets live only as long as their session and their access token: a session that ends anywhere (logout, revoke,
// password change, deactivation) cuts its sockets off on every node at once, with `session:ended` saying why; a
// socket's token is refreshed in place with `auth:refresh`, and one whose token expires is told so and disconnected.
import type { EndedSessions, Logger, TokenVerifier } from '@chat/kit';
import type { Ack, SessionEnd } from '@chat/kit/contract';
import type { ChatSocket } from './handlers.ts';

export type SocketSessionsDeps = {
  local: Map<string, ChatSocket>;
  verify: TokenVerifier;
  ended: EndedSessions;
  logger: Logger;
};

export function createSocketSessions({ local, verify, ended, logger }: SocketSessionsDeps) {
  const expiries = new Map<string, NodeJS.Timeout>();

  function end(socket: ChatSocket, reason: SessionEnd['reason']) {
    socket.emit('session:ended', { reason });
    socket.disconnect(true);
  }

  ended.onEnded(({ sessionId, reason }) => {
    let cut = 0;
    for (const socket of local.values()) {
      if (socket.data.sessionId !== sessionId) continue;
      end(socket, reason);
      cut++;
    }
    if (cut > 0) logger.info({ sessionId, reason, sockets: cut }, 'session ended; its sockets cut off');
  });

  function expireAt(socket: ChatSocket, expiresAt: number) {
    clearTimeout(expiries.get(socket.id));
    const timer = setTimeout(() => end(socket, 'expired'), Math.max(0, expiresAt - Date.now()));
    timer.unref();
    expiries.set(socket.id, timer);
  }

  return {
    /** A socket that just connected (its token checked by the middleware). */
    track(socket: ChatSocket) {
      expireAt(socket, socket.data.expiresAt);
      socket.on('disconnect', () => {
        clearTimeout(expiries.get(socket.id));
        expiries.delete(socket.id);
      });
      socket.on('auth:refresh', (payload: unknown, ack: unknown) => {
        const answer = typeof ack === 'function' ? (ack as (a: Ack) => void) : () => {};
        const token = (payload as { token?: unknown } | null)?.token;
        const refuse = (message: string) => answer({ ok: false, error: { code: 'unauthorized', message } });
        if (typeof token !== 'string') return refuse('A token is required');
        let principal: ReturnType<TokenVerifier>;
        try {
          principal = verify(token);
        } catch {
          return refuse('The access token is invalid or expired');
        }
        if (principal.userId !== socket.data.userId || principal.sessionId !== socket.data.sessionId)
          return refuse('The token is of another session');
        socket.data.expiresAt = principal.expiresAt;
        expireAt(socket, principal.expiresAt);
        answer({ ok: true });
      });
    },
  };
}
