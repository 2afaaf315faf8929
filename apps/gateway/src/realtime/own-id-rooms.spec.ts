import { Adapter } from 'socket.io-adapter';
import { withoutOwnIdRooms } from './own-id-rooms.js';

/** A namespace as the adapter sees it: its sockets by id. */
function namespace(...ids: string[]): { server: { encoder: object }; sockets: Map<string, { id: string }> } {
  return { server: { encoder: {} }, sockets: new Map(ids.map((id) => [id, { id }])) };
}

const make = withoutOwnIdRooms((n) => new Adapter(n as never));

describe('withoutOwnIdRooms', () => {
  it('keeps the rooms a socket joins, except the one named by its own id', () => {
    const adapter = make(namespace('sid-1', 'sid-2'));
    adapter.addAll('sid-1', new Set(['sid-1']));
    expect(adapter.rooms.size).toBe(0);
    expect(adapter.sids.size).toBe(0);

    adapter.addAll('sid-1', new Set(['sid-1', 'u:alice']));
    adapter.addAll('sid-2', new Set(['u:alice']));
    expect([...adapter.rooms.keys()]).toEqual(['u:alice']);
    expect([...(adapter.rooms.get('u:alice') ?? [])]).toEqual(['sid-1', 'sid-2']);
    expect([...(adapter.socketRooms('sid-1') ?? [])]).toEqual(['u:alice']);

    adapter.delAll('sid-1');
    expect([...(adapter.rooms.get('u:alice') ?? [])]).toEqual(['sid-2']);
    expect(adapter.sids.has('sid-1')).toBe(false);
  });

  it('still routes to everyone, to a room, to a socket id, and except a socket id', async () => {
    const adapter = make(namespace('anon', 'sid-1', 'sid-2'));
    adapter.addAll('anon', new Set(['anon'])); // in no room at all (an anonymous viewer)
    adapter.addAll('sid-1', new Set(['sid-1', 'u:alice']));
    adapter.addAll('sid-2', new Set(['sid-2', 'u:bob']));
    const ids = async (rooms: string[], except: string[] = []) =>
      [...(await adapter.fetchSockets({ rooms: new Set(rooms), except: new Set(except) }))].map((s) => (s as unknown as { id: string }).id).sort();

    expect(await ids([])).toEqual(['anon', 'sid-1', 'sid-2']); // server.local.emit: the drain notice
    expect(await ids([], ['sid-1'])).toEqual(['anon', 'sid-2']);
    expect(await ids(['u:alice', 'u:bob'])).toEqual(['sid-1', 'sid-2']);
    expect(await ids(['u:alice', 'sid-1'])).toEqual(['sid-1']); // no socket twice
    expect(await ids(['anon'])).toEqual(['anon']);
    expect(await ids(['u:alice', 'u:bob'], ['u:bob'])).toEqual(['sid-1']);
    expect(await ids(['nobody-here'])).toEqual([]);
  });

  it('can be called with new, as Socket.IO does', () => {
    const Make = make as unknown as new (n: unknown) => Adapter;
    expect(new Make(namespace())).toBeInstanceOf(Adapter);
  });
});
