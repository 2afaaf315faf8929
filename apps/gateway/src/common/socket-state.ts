import type { Socket } from 'socket.io';
import type { Caller } from '../auth/jwt-verifier.js';

/** What the gateway keeps per socket (socket.data). */
export interface SocketState {
  caller: Caller;
  /** Rooms this socket receives frames of. */
  rooms: Set<string>;
  /** The join in flight per room: a later join or a leave replaces or cancels it. */
  joining: Map<string, symbol>;
}

export function newSocketState(caller: Caller): SocketState {
  return { caller, rooms: new Set(), joining: new Map() };
}

export function stateOf(socket: Socket): SocketState {
  return socket.data as SocketState;
}
