/**
 * A WebSocket client (RFC 6455, no extensions) for the load generator's thousands of sockets.
 *
 * Why not `ws`: on this 2-core box the load generator shares the CPU with the servers it measures,
 * and with `ws` it used as much CPU as all of them (a Buffer, a stream write and a UTF-8 check per
 * message per socket, and the garbage of it). Here every socket of a process reads into one shared
 * buffer (`net` `onread`: a read is consumed before the next one starts), a message is handed over
 * as a view of that buffer, and a message nobody wants is skipped without being decoded or copied.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { type FrameSink, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, WsFrameReader, WsProtocolError } from './ws-frame-reader.js';

/** Shared by every socket of the process: each read is handed to its socket's reader at once. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_UPGRADE_RESPONSE = 16 * 1024;

export interface LeanWebSocketHandlers {
  open(): void;
  /** A text message, bytes buf[start, end): only valid during the call. */
  message(buf: Buffer, start: number, end: number): void;
  /** A binary message (not handed over: the loadgen's protocol has none). */
  binary?(): void;
  /** Once, when the socket is gone (or never opened), with why. */
  close(reason: string): void;
}

export interface LeanWebSocketOptions {
  /** Source address (e.g. 127.0.1.7). */
  localAddress?: string;
}

export class LeanWebSocket implements FrameSink {
  private readonly socket: Socket;
  private readonly reader = new WsFrameReader(this);
  private readonly key = randomBytes(16).toString('base64');
  /** Bytes of the HTTP upgrade response until its blank line. */
  private upgrade: Buffer | null = Buffer.alloc(0);
  private state: 'connecting' | 'open' | 'closed' = 'connecting';

  constructor(
    url: string,
    private readonly handlers: LeanWebSocketHandlers,
    options: LeanWebSocketOptions = {},
  ) {
    const u = new URL(url);
    if (u.protocol !== 'ws:') throw new Error(`LeanWebSocket speaks ws: only, not ${u.protocol}`);
    this.socket = connect({
      host: u.hostname,
      port: Number(u.port || 80),
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: (n: number) => this.onRead(READ_BUFFER, n) },
    });
    this.socket.on('connect', () => {
      this.socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    this.socket.on('error', (error) => this.finish(`socket error: ${error.message}`));
    this.socket.on('close', () => this.finish(this.state === 'open' ? 'socket closed' : 'closed before the upgrade'));
  }

  get open(): boolean {
    return this.state === 'open';
  }

  send(text: string): void {
    if (this.state === 'open') this.socket.write(maskedFrame(OP_TEXT, Buffer.from(text)));
  }

  /** Closes at once, without the closing handshake. */
  terminate(): void {
    this.socket.destroy();
    this.finish('terminated');
  }

  // Both sink methods ignore what follows a close in the same read (terminate() or a close frame).
  message(opcode: number, buf: Buffer, start: number, end: number): void {
    if (this.state !== 'open') return;
    if (opcode === OP_TEXT) this.handlers.message(buf, start, end);
    else this.handlers.binary?.();
  }

  control(opcode: number, payload: Buffer): void {
    if (this.state !== 'open') return;
    if (opcode === OP_PING) this.socket.write(maskedFrame(OP_PONG, payload));
    else if (opcode === OP_CLOSE) {
      if (payload.length === 1) throw new WsProtocolError('close frame with a 1-byte payload');
      this.socket.end(maskedFrame(OP_CLOSE, payload.subarray(0, 2)));
      this.finish(`closed by the server (${payload.length >= 2 ? payload.readUInt16BE(0) : 1005})`);
    }
  }

  /** Always true: keep reading (false would pause the socket). */
  private onRead(buf: Buffer, n: number): boolean {
    if (this.state === 'closed') return true;
    try {
      let start = 0;
      if (this.upgrade) {
        start = this.readUpgrade(buf, n);
        if (start < 0) return true;
      }
      this.reader.push(buf, start, n);
    } catch (error) {
      // Only the peer's protocol errors close the socket; a bug in a handler stays loud.
      if (!(error instanceof WsProtocolError)) throw error;
      this.socket.destroy();
      this.finish(`protocol error: ${error.message}`);
    }
    return true;
  }

  /** Consumes the upgrade response; returns where the frames start in buf, or -1 while it is incomplete. */
  private readUpgrade(buf: Buffer, n: number): number {
    const seen = (this.upgrade as Buffer).length;
    const head = Buffer.concat([this.upgrade as Buffer, buf.subarray(0, n)]);
    const blank = head.indexOf('\r\n\r\n');
    if (blank < 0) {
      if (head.length > MAX_UPGRADE_RESPONSE) throw new WsProtocolError('upgrade response too long');
      this.upgrade = head;
      return -1;
    }
    this.upgrade = null;
    const lines = head.toString('latin1', 0, blank).split('\r\n');
    const status = lines[0] ?? '';
    if (!/^HTTP\/1\.1 101(?: |$)/.test(status)) throw new WsProtocolError(`upgrade refused: ${status}`);
    const accept = lines.find((l) => l.toLowerCase().startsWith('sec-websocket-accept:'))?.slice(21).trim();
    const expected = createHash('sha1').update(this.key + ACCEPT_GUID).digest('base64');
    if (accept !== expected) throw new WsProtocolError('bad Sec-WebSocket-Accept');
    this.state = 'open';
    this.handlers.open();
    return blank + 4 - seen;
  }

  private finish(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.handlers.close(reason);
  }
}

/** A client frame: clients must mask what they send (RFC 6455 §5.3). */
export function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + ext + 4 + len);
  frame[0] = 0x80 | opcode;
  if (ext === 0) frame[1] = 0x80 | len;
  else if (ext === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  const maskAt = 2 + ext;
  randomBytes(4).copy(frame, maskAt);
  for (let i = 0; i < len; i++) frame[maskAt + 4 + i] = (payload[i] as number) ^ (frame[maskAt + (i & 3)] as number);
  return frame;
}
