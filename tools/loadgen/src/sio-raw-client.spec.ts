import {
  encodeAck,
  encodeConnect,
  encodeEvent,
  parseEioOpen,
  parseSioPacket,
  peekEventName,
  peekEventNameBytes,
  SioParseError,
  SIO_ACK,
  SIO_CONNECT,
  SIO_CONNECT_ERROR,
  SIO_DISCONNECT,
  SIO_EVENT,
} from './sio-packets.js';
import { toWsUrl } from './sio-raw-client.js';
import { barrageText, decodeRoomEventsFrame, FrameCache, readBarrageAck, readJoinAck, sendTsFromText } from './protocol.js';

describe('socket.io packet encoding', () => {
  it('encodes CONNECT with and without auth', () => {
    expect(encodeConnect()).toBe('40');
    expect(encodeConnect({ token: 'abc' })).toBe('40{"token":"abc"}');
    expect(encodeConnect({ token: 'x' }, '/admin')).toBe('40/admin,{"token":"x"}');
  });

  it('encodes EVENT with and without ack id', () => {
    expect(encodeEvent('room:join', [{ roomId: 'r1' }], 7)).toBe('427["room:join",{"roomId":"r1"}]');
    expect(encodeEvent('hello', [1, 'a'])).toBe('42["hello",1,"a"]');
    expect(encodeEvent('x', [], 0, '/n')).toBe('42/n,0["x"]');
  });

  it('encodes ACK', () => {
    expect(encodeAck(12, [{ ok: true }])).toBe('4312[{"ok":true}]');
  });

  it('builds the websocket URL', () => {
    expect(toWsUrl('http://127.0.0.1:3000')).toBe('ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket');
    expect(toWsUrl('https://h.example/')).toBe('wss://h.example/socket.io/?EIO=4&transport=websocket');
  });
});

describe('socket.io packet parsing', () => {
  it('parses the engine.io open packet', () => {
    const o = parseEioOpen('{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}');
    expect(o).toEqual({ sid: 'abc', pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 });
    expect(() => parseEioOpen('{"sid":1}')).toThrow(SioParseError);
  });

  it('parses CONNECT, CONNECT_ERROR and DISCONNECT', () => {
    expect(parseSioPacket('40{"sid":"s1"}')).toEqual({ type: SIO_CONNECT, nsp: '/', data: { sid: 's1' } });
    expect(parseSioPacket('44{"message":"UNAUTHORIZED"}')).toEqual({
      type: SIO_CONNECT_ERROR,
      nsp: '/',
      data: { message: 'UNAUTHORIZED' },
    });
    expect(parseSioPacket('41')).toEqual({ type: SIO_DISCONNECT, nsp: '/' });
    expect(parseSioPacket('40/admin,{"sid":"s2"}')).toEqual({ type: SIO_CONNECT, nsp: '/admin', data: { sid: 's2' } });
  });

  it('parses EVENT with and without id, and ACK', () => {
    expect(parseSioPacket('42["room:events",{"roomId":"r","events":[]}]')).toEqual({
      type: SIO_EVENT,
      nsp: '/',
      id: undefined,
      name: 'room:events',
      args: [{ roomId: 'r', events: [] }],
    });
    expect(parseSioPacket('4215["ping",1]')).toMatchObject({ type: SIO_EVENT, id: 15, name: 'ping', args: [1] });
    expect(parseSioPacket('43123[{"ok":true,"seq":5}]')).toEqual({
      type: SIO_ACK,
      nsp: '/',
      id: 123,
      args: [{ ok: true, seq: 5 }],
    });
    expect(parseSioPacket('42/chat,3["m"]')).toMatchObject({ type: SIO_EVENT, nsp: '/chat', id: 3, name: 'm' });
  });

  it('round-trips encode → parse', () => {
    const payload = { roomId: 'r-1', text: 'héllo "quoted" \\ 弾幕', clientMsgId: 'c1' };
    const p = parseSioPacket(encodeEvent('barrage:send', [payload], 42));
    expect(p).toEqual({ type: SIO_EVENT, nsp: '/', id: 42, name: 'barrage:send', args: [payload] });
  });

  it('rejects malformed and binary packets', () => {
    for (const bad of ['2', '4', '49[]', '42{bad', '42[]', '42[1]', '43[]', '451-["x",{"_placeholder":true,"num":0}]']) {
      expect(() => parseSioPacket(bad)).toThrow(SioParseError);
    }
  });

  it('peeks the event name without parsing', () => {
    expect(peekEventName('42["room:events",{"a":1}]')).toBe('room:events');
    expect(peekEventName('421["room:events"]')).toBeUndefined(); // has ack id
    expect(peekEventName('43["x"]')).toBeUndefined();
    expect(peekEventName('42["a\\"b",1]')).toBeUndefined();
    expect(peekEventName('42/n,["x"]')).toBeUndefined();
  });

  it('peeks the event name on undecoded bytes the same way', () => {
    for (const frame of ['42["room:events",{"a":1}]', '421["room:events"]', '43["x"]', '42["a\\"b",1]', '42/n,["x"]', '42["room:stats",{}]']) {
      expect(peekEventNameBytes(Buffer.from(frame))).toBe(peekEventName(frame));
    }
  });
});

describe('liveroom payloads', () => {
  it('reads join and barrage acks', () => {
    expect(readJoinAck([{ ok: true, room: { id: 'r', seq: 7 } }])).toEqual({ ok: true, value: { seq: 7, missed: [] } });
    expect(readJoinAck([{ ok: true, room: { seq: 7 }, missed: [{ seq: 8 }, { seq: 9 }] }])).toEqual({
      ok: true,
      value: { seq: 7, missed: [8, 9] },
    });
    expect(readJoinAck([{ ok: false, error: { code: 'ROOM_NOT_FOUND', message: 'x' } }])).toEqual({
      ok: false,
      code: 'ROOM_NOT_FOUND',
    });
    expect(readBarrageAck([{ ok: true, seq: 3, id: 'm1' }])).toEqual({ ok: true, value: { seq: 3, id: 'm1' } });
    expect(readBarrageAck([{ ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: 100 } }])).toEqual({
      ok: false,
      code: 'RATE_LIMITED',
    });
    expect(readBarrageAck(['garbage'])).toEqual({ ok: false, code: 'BAD_ACK' });
  });

  it('carries the send timestamp in the barrage text', () => {
    const ts = 1_700_000_000_123.456;
    const text = barrageText(ts, 3, 9);
    expect(text.length).toBeLessThanOrEqual(200);
    expect(sendTsFromText(text)).toBeCloseTo(ts, 3);
    expect(sendTsFromText('hello')).toBeNaN();
  });

  it('decodes room:events frames and caches identical frames', () => {
    const frame = encodeEvent('room:events', [
      {
        roomId: 'r',
        events: [
          { seq: 4, type: 'barrage', text: barrageText(1000.5, 0, 0) },
          { seq: 5, type: 'gift' },
        ],
      },
    ]);
    const d = decodeRoomEventsFrame(frame);
    expect(d?.roomId).toBe('r');
    expect(d?.seqs).toEqual([4, 5]);
    expect(d?.sendTs[0]).toBeCloseTo(1000.5);
    expect(d?.sendTs[1]).toBeNaN();
    expect(decodeRoomEventsFrame('42["room:events",{"roomId":"r","events":[{"type":"x"}]}]')).toBeUndefined();
    // Looked up by bytes inside a bigger (shared read) buffer, as the viewers do.
    const at = (text: string, pad = 5): [Buffer, number, number] => {
      const bytes = Buffer.from(text);
      return [Buffer.concat([Buffer.alloc(pad, 0x41), bytes, Buffer.alloc(pad, 0x42)]), pad, pad + bytes.length];
    };
    const cache = new FrameCache(2);
    expect(cache.get(...at(frame))).toEqual(d);
    expect(cache.get(...at(frame, 9))).toBe(cache.get(...at(frame, 1)));
    expect(cache.hits).toBe(2);
    expect(cache.get(...at('42["room:events",{}]'))).toBeUndefined();
    // Two newer frames push the first one out of a cache of 2: it is decoded again (a miss).
    const other = frame.replace('"r"', '"s"');
    cache.get(...at(other));
    expect(cache.get(...at(frame))?.roomId).toBe('r');
    expect(cache.get(...at(other))?.roomId).toBe('s');
    expect([cache.hits, cache.misses]).toEqual([3, 4]);
  });
});
