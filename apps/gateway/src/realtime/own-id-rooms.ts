import type { Adapter, BroadcastOptions } from 'socket.io-adapter';

type AdapterFactory = (nsp: unknown) => Adapter;

/** The in-memory adapter's private routing, replaced below (declared private in its types). */
interface AdapterRouting {
  apply(opts: BroadcastOptions, callback: (socket: unknown) => void): void;
  computeExceptSids(exceptRooms?: Set<string>): Set<string>;
}

/**
 * Socket.IO puts every socket in a room named by its own id, which the in-memory adapter keeps as a
 * Set per socket plus map entries: ~0.3 KB of every connection. Here that room is not stored; the
 * adapter's routing resolves a socket id used as a room (`io.to(id)`, `except: id`) from the namespace's
 * sockets instead, and a broadcast to everyone (`server.local.emit`, the drain notice) walks the
 * namespace's sockets, not the adapter's list of sockets that are in some room (which no longer holds
 * the sockets that joined none, e.g. anonymous viewers).
 * Returned as a plain function: Socket.IO calls the adapter factory with `new`.
 */
export function withoutOwnIdRooms(factory: AdapterFactory): AdapterFactory {
  return function createWithoutOwnIdRooms(nsp: unknown): Adapter {
    const adapter = factory(nsp);
    const sockets = (adapter.nsp as { sockets: Map<string, unknown> }).sockets;
    const routing = adapter as unknown as AdapterRouting;
    const addAll = adapter.addAll.bind(adapter);
    adapter.addAll = (id, rooms) => {
      if (!rooms.has(id)) return addAll(id, rooms);
      const others = new Set(rooms);
      others.delete(id);
      if (others.size > 0) addAll(id, others);
    };
    routing.computeExceptSids = (exceptRooms) => {
      const except = new Set<string>();
      for (const room of exceptRooms ?? []) {
        const members = adapter.rooms.get(room);
        if (members) for (const id of members) except.add(id);
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
        const members = adapter.rooms.get(room);
        if (members) for (const id of members) deliver(id);
        else deliver(room); // a socket's own id, or a room with nobody here
      }
    };
    return adapter;
  };
}
