import type { Adapter } from 'socket.io-adapter';

type AdapterFactory = (nsp: unknown) => Adapter;

/**
 * Socket.IO puts every socket in a room named by its own id, which the in-memory adapter keeps as a
 * Set per socket (plus map entries): ~0.3 KB of every connection, for `io.to(socketId)` and for
 * excluding the sender in `socket.to(...)`/`socket.broadcast`. The gateway uses neither (frames go out
 * through the fan-out, targeted emits through per-user rooms), so the adapter skips that room.
 * Returned as a plain function: Socket.IO calls the adapter factory with `new`.
 */
export function withoutOwnIdRooms(factory: AdapterFactory): AdapterFactory {
  return function createWithoutOwnIdRooms(nsp: unknown): Adapter {
    const adapter = factory(nsp);
    const addAll = adapter.addAll.bind(adapter);
    adapter.addAll = (id, rooms) => {
      if (!rooms.has(id)) return addAll(id, rooms);
      const others = new Set(rooms);
      others.delete(id);
      if (others.size > 0) addAll(id, others);
    };
    return adapter;
  };
}
