import type { Socket } from 'socket.io';
import { stateOf } from '../common/socket-state.js';
import { requireUser } from './jwt-verifier.js';

/**
 * Wraps the handler of a client write event. PROTOCOL §1: every write of an anonymous viewer answers
 * UNAUTHORIZED, before its payload or its room membership is looked at (which would otherwise answer
 * INVALID_ARGUMENT or NOT_IN_ROOM).
 */
export function signedIn<T>(handle: (socket: Socket, body: unknown) => T): (socket: Socket, body: unknown) => T {
  return (socket, body) => {
    requireUser(stateOf(socket).caller);
    return handle(socket, body);
  };
}
