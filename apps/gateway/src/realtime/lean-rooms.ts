import type { Adapter, BroadcastOptions } from 'socket.io-adapter';
import { userRoom } from '#redis';

type AdapterFactory = (nsp: unknown) => Adapter;

/**
 * The adapter's routing, replaced below: the in-memory adapter's (private in its types), and the Redis
 * adapter's check that drops a message for a single room that has no socket here.
 */
interface AdapterRouting {
  apply(opts: BroadcastOptions, callback: (socket: unknown) => void): void;
  computeExceptSids(exceptRooms?: Set<string>): Set<string>;
  hasRoom?: (room: string) => boolean;
}

const USER_ROOM_PREFIX = userRoom('');

/**
 * The Socket.IO adapter, lean on memory for a gateway's two kinds of rooms. Socket.IO puts every socket
 * in a room named by its own id, and every authenticated socket here joins its user's room (targeted
 * emits: cohost updates, kicks); the in-memory adapter keeps a Set per room and a Set of rooms per
 * socket, ~0.55 KB of every connection. Here the own-id room is not stored at all (an id used as a room
 * is resolved from the namespace's sockets), and a user room maps to its one socket id (a Set only while
 * the user has several sockets on this gateway), with the socket's user room beside it. Other rooms are
 * left to the adapter. A broadcast to everyone (`server.local.emit`, the drain notice) walks the
 * namespace's sockets, since the adapter no longer lists sockets that are in no room of its own.
 * Returned as a plain function: Socket.IO calls the adapter factory with `new`.
 */
export function leanRooms(factory: AdapterFactory): AdapterFactory {
  return function createLeanRoomsAdapter(nsp: unknown): Adapter {
    const adapter = factory(nsp);
    const sockets = (adapter.nsp as { sockets: Map<string, unknown> }).sockets;
    const routing = adapter as unknown as AdapterRouting;
    const users = new UserRooms();
    const base = {
      addAll: adapter.addAll.bind(adapter),
      del: adapter.del.bind(adapter),
      delAll: adapter.delAll.bind(adapter),
      socketRooms: adapter.socketRooms.bind(adapter),
    };

    adapter.addAll = (id, rooms) => {
      const others = new Set<string>();
      for (const room of rooms) {
        if (room === id) continue;
        if (!room.startsWith(USER_ROOM_PREFIX) || !users.add(id, room)) others.add(room);
      }
      if (others.size > 0) base.addAll(id, others);
    };
    adapter.del = (id, room) => {
      if (users.roomOf(id) === room) users.remove(id);
      else base.del(id, room);
    };
    adapter.delAll = (id) => {
      users.remove(id);
      base.delAll(id);
    };
    adapter.socketRooms = (id) => {
      const user = users.roomOf(id);
      const rooms = base.socketRooms(id);
      return user === undefined ? rooms : new Set([...(rooms ?? []), user]);
    };

    const membersOf = (room: string): string[] => [...(adapter.rooms.get(room) ?? []), ...users.members(room)];
    if (routing.hasRoom) {
      const hasRoom = routing.hasRoom.bind(adapter);
      routing.hasRoom = (room) => hasRoom(room) || users.has(room) || sockets.has(room);
    }
    routing.computeExceptSids = (exceptRooms) => {
      const except = new Set<string>();
      for (const room of exceptRooms ?? []) {
        const members = membersOf(room);
        if (members.length > 0) for (const id of members) except.add(id);
        else if (sockets.has(room)) except.add(room);
      }
      return except;
    };
    routing.apply = (opts, callback) => {
      const except = routing.computeExceptSids(opts.except);
      const done = new Set<string>();
      const deliver = (id: string): void => {
        if (done.has(id) || except.has(id)) return;
        const socket = sockets.get(id);
        if (socket === undefined) return;
        done.add(id);
        callback(socket);
      };
      if (opts.rooms.size === 0) {
        for (const id of sockets.keys()) deliver(id);
        return;
      }
      for (const room of opts.rooms) {
        const members = membersOf(room);
        if (members.length > 0) for (const id of members) deliver(id);
        else deliver(room); // a socket's own id, or a room with nobody here
      }
    };
    return adapter;
  };
}

/** User rooms: room → its socket id (or ids), socket id → its user room (one per socket). */
class UserRooms {
  private readonly byRoom = new Map<string, string | Set<string>>();
  private readonly bySocket = new Map<string, string>();

  /** False when the socket already has another user room (that one goes to the ordinary adapter). */
  add(id: string, room: string): boolean {
    const current = this.bySocket.get(id);
    if (current !== undefined) return current === room;
    this.bySocket.set(id, room);
    const members = this.byRoom.get(room);
    if (members === undefined) this.byRoom.set(room, id);
    else if (typeof members === 'string') this.byRoom.set(room, new Set([members, id]));
    else members.add(id);
    return true;
  }

  remove(id: string): void {
    const room = this.bySocket.get(id);
    if (room === undefined) return;
    this.bySocket.delete(id);
    const members = this.byRoom.get(room);
    if (typeof members === 'string' || members === undefined) {
      this.byRoom.delete(room);
      return;
    }
    members.delete(id);
    if (members.size === 1) this.byRoom.set(room, members.values().next().value as string);
  }

  roomOf(id: string): string | undefined {
    return this.bySocket.get(id);
  }

  has(room: string): boolean {
    return this.byRoom.has(room);
  }

  members(room: string): string[] {
    const members = this.byRoom.get(room);
    if (members === undefined) return [];
    return typeof members === 'string' ? [members] : [...members];
  }
}
