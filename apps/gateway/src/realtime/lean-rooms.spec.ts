import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Adapter } from 'socket.io-adapter';
import { userRoom } from '#redis';
import { leanRooms } from './lean-rooms.js';

/** A namespace as the adapter sees it: its sockets by id. */
function namespace(...ids: string[]): { server: { encoder: object }; sockets: Map<string, { id: string }> } {
  return { server: { encoder: {} }, sockets: new Map(ids.map((id) => [id, { id }])) };
}

const make = leanRooms((n) => new Adapter(n as never));
const alice = userRoom('alice');
const bob = userRoom('bob');

async function ids(adapter: Adapter, rooms: string[], except: string[] = []): Promise<string[]> {
  const sockets = await adapter.fetchSockets({ rooms: new Set(rooms), except: new Set(except) });
  return sockets.map((s) => (s as unknown as { id: string }).id).sort();
}

describe('leanRooms', () => {
  it('stores neither the own-id room nor user rooms in the adapter, and still knows them', () => {
    const adapter = make(namespace('sid-1', 'sid-2'));
    adapter.addAll('sid-1', new Set([alice])); // the auth middleware, before Socket.IO's own join(id)
    adapter.addAll('sid-1', new Set(['sid-1']));
    adapter.addAll('sid-2', new Set(['sid-2', 'some-room']));
    expect([...adapter.rooms.keys()]).toEqual(['some-room']);
    expect([...adapter.sids.keys()]).toEqual(['sid-2']);
    expect([...(adapter.socketRooms('sid-1') ?? [])]).toEqual([alice]);
    expect([...(adapter.socketRooms('sid-2') ?? [])]).toEqual(['some-room']);
  });

  it('routes to everyone, to rooms, to user rooms with one or several sockets, to socket ids, with except', async () => {
    const adapter = make(namespace('anon', 'a1', 'a2', 'b1'));
    adapter.addAll('anon', new Set(['anon'])); // in no room at all (an anonymous viewer)
    for (const [id, room] of [['a1', alice], ['a2', alice], ['b1', bob]] as const) adapter.addAll(id, new Set([room, id]));
    adapter.addAll('b1', new Set(['lobby']));

    expect(await ids(adapter, [])).toEqual(['a1', 'a2', 'anon', 'b1']); // server.local.emit: the drain notice
    expect(await ids(adapter, [], ['a1'])).toEqual(['a2', 'anon', 'b1']);
    expect(await ids(adapter, [alice])).toEqual(['a1', 'a2']);
    expect(await ids(adapter, [alice, bob], [bob])).toEqual(['a1', 'a2']);
    expect(await ids(adapter, [alice, 'a1', 'lobby'])).toEqual(['a1', 'a2', 'b1']); // no socket twice
    expect(await ids(adapter, ['anon'])).toEqual(['anon']);
    expect(await ids(adapter, ['nobody-here', userRoom('carol')])).toEqual([]);
  });

  it('forgets a socket on leave and on disconnect, down to the last socket of a user', async () => {
    const adapter = make(namespace('a1', 'a2'));
    adapter.addAll('a1', new Set([alice]));
    adapter.addAll('a2', new Set([alice]));
    adapter.delAll('a1');
    expect(await ids(adapter, [alice])).toEqual(['a2']);
    expect(adapter.socketRooms('a1')).toBeUndefined();
    adapter.del('a2', alice);
    expect(await ids(adapter, [alice])).toEqual([]);
    adapter.addAll('a2', new Set([alice]));
    expect(await ids(adapter, [alice])).toEqual(['a2']);
  });

  it('keeps a second user room of one socket in the ordinary adapter', async () => {
    const adapter = make(namespace('s'));
    adapter.addAll('s', new Set([alice, bob]));
    expect([...adapter.rooms.keys()]).toEqual([bob]);
    expect(await ids(adapter, [alice])).toEqual(['s']);
    expect(await ids(adapter, [bob])).toEqual(['s']);
    expect([...(adapter.socketRooms('s') ?? [])].sort()).toEqual([alice, bob].sort());
    adapter.delAll('s');
    expect(adapter.rooms.size).toBe(0);
    expect(await ids(adapter, [alice, bob])).toEqual([]);
  });

  it("answers the Redis adapter's check for a single room with the rooms kept here", () => {
    // RedisAdapter (dist/index.js) ignores a message for one room unless hasRoom(room): keep in sync.
    const redisAdapterMain = createRequire(import.meta.url).resolve('@socket.io/redis-adapter');
    expect(readFileSync(redisAdapterMain, 'utf8')).toContain('!this.hasRoom(room)');
    class RedisLike extends Adapter {
      hasRoom(room: string): boolean {
        return this.rooms.has(room);
      }
    }
    const adapter = leanRooms((n) => new RedisLike(n as never))(namespace('a1', 'x')) as RedisLike;
    adapter.addAll('a1', new Set([alice, 'a1', 'lobby']));
    expect(['lobby', alice, 'a1', bob, 'nowhere'].map((room) => adapter.hasRoom(room))).toEqual([true, true, true, false, false]);
  });

  it('can be called with new, as Socket.IO does', () => {
    const Make = make as unknown as new (n: unknown) => Adapter;
    expect(new Make(namespace())).toBeInstanceOf(Adapter);
  });
});
