import type { Socket } from 'socket.io';
import type { Caller } from '../auth/jwt-verifier.js';

/** What the gateway keeps per socket (socket.data). */
export interface SocketState {
  caller: Caller;
  rooms: Set<string>;
}

export function stateOf(socket: Socket): SocketState {
  return socket.data as SocketState;
}
