import { Adapter } from 'socket.io-adapter';
import { withoutOwnIdRooms } from './own-id-rooms.js';

const nsp = { server: { encoder: {} } };

describe('withoutOwnIdRooms', () => {
  it('keeps the rooms a socket joins, except the one named by its own id', () => {
    const make = withoutOwnIdRooms((n) => new Adapter(n as never));
    const adapter = make(nsp);
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

  it('can be called with new, as Socket.IO does', () => {
    const Make = withoutOwnIdRooms((n) => new Adapter(n as never)) as unknown as new (n: unknown) => Adapter;
    expect(new Make(nsp)).toBeInstanceOf(Adapter);
  });
});
