/**
 * Reads the WebSocket frames (RFC 6455) a server sends, from the bytes of whatever reads the socket
 * returned: a frame may span reads, a read may hold many frames. A message that lies whole inside
 * one read is handed over as a view of that read's buffer (no copy); only a message that spans reads
 * or fragments is assembled into a buffer of its own.
 */

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

export interface FrameSink {
  /** A whole data message (text or binary), bytes buf[start, end): only valid during the call. */
  message(opcode: number, buf: Buffer, start: number, end: number): void;
  /** A control frame (close, ping, pong) with its payload: only valid during the call. */
  control(opcode: number, payload: Buffer): void;
}

export class WsProtocolError extends Error {}

const MAX_HEADER = 14;

/** Frame header length from its first two bytes: 2, plus the extended length, plus a mask key. */
function headerLength(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}

export class WsFrameReader {
  /** A header that was cut by the end of a read: its first `headerFill` bytes. */
  private header: Buffer | null = null;
  private headerFill = 0;
  /** The current frame, once its header is read. */
  private opcode = 0;
  private fin = false;
  /** Payload bytes of the current frame still to come; -1 while a header is expected. */
  private remaining = -1;
  /** The payload being assembled (it spans reads); null when the frame is read from one buffer. */
  private payload: Buffer | null = null;
  private payloadFill = 0;
  /** Fragments of a message sent in several frames, and that message's opcode. */
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private fragmentOpcode = 0;

  constructor(
    private readonly sink: FrameSink,
    private readonly maxMessageBytes = 64 * 1024 * 1024,
  ) {}

  /** Consumes buf[start, end). Throws WsProtocolError on a frame a server may not send. */
  push(buf: Buffer, start: number, end: number): void {
    let pos = start;
    while (pos < end) {
      if (this.remaining < 0) {
        pos = this.readHeader(buf, pos, end);
        if (this.remaining < 0) return; // the header continues in the next read
        if (this.remaining === 0) this.complete(buf, pos, pos);
        else if (end - pos >= this.remaining) {
          const at = pos;
          pos += this.remaining;
          this.complete(buf, at, pos);
        } else {
          this.payload = Buffer.allocUnsafe(this.remaining);
          this.payloadFill = 0;
        }
        continue;
      }
      const n = Math.min(this.remaining - this.payloadFill, end - pos);
      buf.copy(this.payload as Buffer, this.payloadFill, pos, pos + n);
      this.payloadFill += n;
      pos += n;
      if (this.payloadFill === this.remaining) {
        const whole = this.payload as Buffer;
        this.payload = null;
        this.complete(whole, 0, whole.length);
      }
    }
  }

  /** Reads (the rest of) a header from buf at pos; returns the position after what it consumed. */
  private readHeader(buf: Buffer, pos: number, end: number): number {
    let h: Buffer = buf;
    let at = pos;
    if (this.headerFill > 0 || end - pos < 2 || end - pos < headerLength(buf[pos + 1] as number)) {
      // Cut header: gather it in this.header until it is whole.
      this.header ??= Buffer.allocUnsafe(MAX_HEADER);
      while (pos < end && (this.headerFill < 2 || this.headerFill < headerLength(this.header[1] as number))) {
        this.header[this.headerFill++] = buf[pos++] as number;
      }
      if (this.headerFill < 2 || this.headerFill < headerLength(this.header[1] as number)) return pos;
      h = this.header;
      at = 0;
      this.headerFill = 0;
    }
    const b0 = h[at] as number;
    const b1 = h[at + 1] as number;
    if (b0 & 0x70) throw new WsProtocolError('reserved bits set (no extension was negotiated)');
    if (b1 & 0x80) throw new WsProtocolError('masked frame from a server');
    const len7 = b1 & 0x7f;
    let length = len7;
    if (len7 === 126) length = h.readUInt16BE(at + 2);
    else if (len7 === 127) {
      const big = h.readBigUInt64BE(at + 2);
      if (big > BigInt(this.maxMessageBytes)) throw new WsProtocolError(`frame of ${big} bytes`);
      length = Number(big);
    }
    this.opcode = b0 & 0x0f;
    this.fin = (b0 & 0x80) !== 0;
    if (this.opcode > OP_PONG || (this.opcode > OP_BINARY && this.opcode < OP_CLOSE)) throw new WsProtocolError(`reserved opcode ${this.opcode}`);
    if (this.opcode >= OP_CLOSE && (!this.fin || length > 125)) throw new WsProtocolError('bad control frame');
    if (length > this.maxMessageBytes) throw new WsProtocolError(`frame of ${length} bytes`);
    this.remaining = length;
    return h === buf ? pos + headerLength(b1) : pos;
  }

  /** The current frame's payload is buf[start, end): hand it over and expect the next header. */
  private complete(buf: Buffer, start: number, end: number): void {
    const { opcode, fin } = this;
    this.remaining = -1;
    if (opcode >= OP_CLOSE) {
      this.sink.control(opcode, buf.subarray(start, end));
      return;
    }
    if (opcode === OP_CONTINUATION) {
      if (this.fragments.length === 0) throw new WsProtocolError('continuation without a first fragment');
    } else if (this.fragments.length > 0) {
      throw new WsProtocolError('new message inside a fragmented one');
    } else if (fin) {
      this.sink.message(opcode, buf, start, end);
      return;
    } else this.fragmentOpcode = opcode;
    this.fragmentBytes += end - start;
    if (this.fragmentBytes > this.maxMessageBytes) throw new WsProtocolError(`message of over ${this.maxMessageBytes} bytes`);
    this.fragments.push(Buffer.from(buf.subarray(start, end)));
    if (!fin) return;
    const whole = Buffer.concat(this.fragments);
    this.fragments = [];
    this.fragmentBytes = 0;
    this.sink.message(this.fragmentOpcode, whole, 0, whole.length);
  }
}
