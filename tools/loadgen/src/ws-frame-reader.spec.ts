import { OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_TEXT, type FrameSink, WsFrameReader, WsProtocolError } from './ws-frame-reader.js';

/** A server frame (unmasked) as ws would send it. */
function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0, len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126 && len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else if (len >= 65536) {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  head[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([head, payload]);
}

class Recorder implements FrameSink {
  messages: string[] = [];
  controls: [number, string][] = [];
  message(opcode: number, buf: Buffer, start: number, end: number): void {
    this.messages.push(`${opcode}:${buf.toString('utf8', start, end)}`);
  }
  control(opcode: number, payload: Buffer): void {
    this.controls.push([opcode, payload.toString()]);
  }
}

const text = (s: string): Buffer => frame(OP_TEXT, Buffer.from(s));

describe('WsFrameReader', () => {
  const big = 'x'.repeat(70_000);
  const mid = 'é'.repeat(200);
  const stream = Buffer.concat([
    text('40{"sid":"a"}'),
    frame(OP_PING, Buffer.from('p')),
    text(mid),
    text(''),
    frame(OP_TEXT, Buffer.from('fir'), false),
    frame(OP_PING, Buffer.from('between fragments')),
    frame(OP_CONTINUATION, Buffer.from('st|'), false),
    frame(OP_CONTINUATION, Buffer.from('last'), true),
    text(big),
    frame(OP_BINARY, Buffer.from('bin')),
    frame(OP_CLOSE, Buffer.from([0x03, 0xe8])),
  ]);
  const expected = ['1:40{"sid":"a"}', `1:${mid}`, '1:', '1:first|last', `1:${big}`, '2:bin'];

  it('reads a stream delivered in one piece', () => {
    const r = new Recorder();
    new WsFrameReader(r).push(stream, 0, stream.length);
    expect(r.messages).toEqual(expected);
    expect(r.controls.map(([op]) => op)).toEqual([OP_PING, OP_PING, OP_CLOSE]);
    expect(r.controls[1]).toEqual([OP_PING, 'between fragments']);
  });

  it('reads the same stream however the reads cut it', () => {
    for (const size of [1, 2, 3, 5, 7, 13, 126, 1000, 4096]) {
      const r = new Recorder();
      const reader = new WsFrameReader(r);
      // Each read lands in one reused buffer, as with the shared onread buffer.
      const shared = Buffer.alloc(size + 3);
      for (let at = 0; at < stream.length; at += size) {
        const n = Math.min(size, stream.length - at);
        shared.fill(0x5a);
        stream.copy(shared, 3, at, at + n);
        reader.push(shared, 3, 3 + n);
      }
      expect({ size, messages: r.messages }).toEqual({ size, messages: expected });
      expect(r.controls).toHaveLength(3);
    }
  });

  it('refuses what a server may not send', () => {
    const masked = Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x41]);
    const reserved = Buffer.from([0xc1, 0x00]);
    const orphan = frame(OP_CONTINUATION, Buffer.from('x'));
    const longPing = frame(OP_PING, Buffer.alloc(126));
    const reservedData = frame(0x3, Buffer.from('x'));
    const reservedControl = frame(0xb, Buffer.from('x'));
    const nested = Buffer.concat([frame(OP_TEXT, Buffer.from('a'), false), text('b')]);
    for (const bad of [masked, reserved, orphan, longPing, reservedData, reservedControl, nested]) {
      expect(() => new WsFrameReader(new Recorder()).push(bad, 0, bad.length)).toThrow(WsProtocolError);
    }
    expect(() => new WsFrameReader(new Recorder(), 100).push(text('y'.repeat(101)), 0, 105)).toThrow('frame of 101 bytes');
    // Fragments are counted as they come, not once the message is whole.
    const fragments = Buffer.concat([frame(OP_TEXT, Buffer.alloc(60), false), frame(OP_CONTINUATION, Buffer.alloc(60), false)]);
    expect(() => new WsFrameReader(new Recorder(), 100).push(fragments, 0, fragments.length)).toThrow('message of over 100 bytes');
  });
});
