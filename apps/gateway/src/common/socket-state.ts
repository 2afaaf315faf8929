import type { Socket } from 'socket.io';
import { LiveroomError } from '#contracts';
import type { Caller } from '../auth/jwt-verifier.js';

/**
 * What the gateway keeps per socket (socket.data). The collections are created on first use: most
 * connections are idle viewers of one room or none, and 50k sockets are the target per node.
 */
export class SocketState {
  private joinedRooms: Set<string> | undefined;
  private joins: Map<string, symbol> | undefined;

  constructor(
    readonly caller: Caller,
    /** When the connection's token expires (epoch ms): writes answer UNAUTHORIZED from then on. */
    readonly expiresAt: number | null = null,
  ) {}

  /** Rooms this socket receives frames of. */
  get rooms(): Set<string> {
    return (this.joinedRooms ??= new Set());
  }

  /** The join in flight per room: a later join or a leave replaces or cancels it. */
  get joining(): Map<string, symbol> {
    return (this.joins ??= new Map());
  }
}

export function newSocketState(caller: Caller, expiresAt: number | null = null): SocketState {
  return new SocketState(caller, expiresAt);
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
