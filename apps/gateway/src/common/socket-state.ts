import type { Socket } from 'socket.io';
import { LiveroomError } from '#contracts';
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

/** The socket's state, once it is known to be in the room (NOT_IN_ROOM otherwise). */
export function requireJoined(socket: Socket, roomId: string): SocketState {
  const state = stateOf(socket);
  if (!state.rooms.has(roomId)) throw new LiveroomError('NOT_IN_ROOM', `join room ${roomId} first`);
  return state;
}
