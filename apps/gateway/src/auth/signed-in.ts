import type { Socket } from 'socket.io';
import { LiveroomError } from '#contracts';
import { stateOf } from '../common/socket-state.js';
import { requireUser } from './jwt-verifier.js';

/**
 * Wraps the handler of a client write event. PROTOCOL §1: every write of an anonymous viewer answers
 * UNAUTHORIZED, before its payload or its room membership is looked at (which would otherwise answer
 * INVALID_ARGUMENT or NOT_IN_ROOM). The same for a connection whose token has expired since.
 */
export function signedIn<T>(handle: (socket: Socket, body: unknown) => T): (socket: Socket, body: unknown) => T {
  return (socket, body) => {
    const state = stateOf(socket);
    // PROTOCOL §1: `exp` is honoured, also on a connection opened before it passed.
    if (state.expiresAt !== null && state.expiresAt <= Date.now()) {
      // Closed once this ack is out: the client (the SDK) reconnects with a fresh token.
      setImmediate(() => socket.disconnect(true));
      throw new LiveroomError('UNAUTHORIZED', 'the token has expired: connect again with a new one');
    }
    requireUser(state.caller);
    return handle(socket, body);
  };
}
