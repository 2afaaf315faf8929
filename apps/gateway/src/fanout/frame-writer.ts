import type { Socket } from 'socket.io';
import * as ws from 'ws';

/** What the writer reads of engine.io and ws internals (stable across engine.io 6 / ws 8). */
interface EngineConnection {
  readyState: string;
  writeBuffer: { data?: unknown }[];
  transport: { name: string; socket?: WsInternals };
  write(data: string): void;
  close(discard?: boolean): void;
}
interface WsInternals {
  readyState: number;
  terminate(): void;
  _socket?: { writableLength: number };
  _sender?: { sendFrame(list: Buffer[], cb?: () => void): void };
}

const FRAME_OPTIONS = { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false } as const;

/** ws's frame builder (public in ws, missing from @types/ws). */
const Sender = (ws as unknown as { Sender: { frame(data: Buffer, options: typeof FRAME_OPTIONS): Buffer[] } }).Sender;
const WS_OPEN = 1;

export interface WriteStats {
  written: number;
  dropped: number;
  /** UTF-8 bytes of the packet (the same for every socket). */
  bytes: number;
}

/** Packets engine.io may hold for one socket (slow polling client, stalled upgrade) before it is cut. */
const MAX_QUEUED_PACKETS = 512;

/**
 * Writes one Socket.IO packet to many sockets, encoding it once: the WebSocket frame is built once
 * per room and the same bytes go to every websocket. A socket whose engine.io buffer holds packets
 * (an ack not yet flushed, a polling client, an upgrade) goes through engine.io instead so its
 * order is kept. A socket that has more than `maxBufferedBytes` queued is disconnected: it is too
 * slow, and it resumes with `sinceSeq` without losing anything still in history.
 */
export class FrameWriter {
  constructor(
    private readonly maxBufferedBytes: number,
    /** Told of each socket cut for being too slow (a metric). */
    private readonly onSlowSocket: () => void = () => undefined,
  ) {}

  write(sockets: Iterable<Socket>, packet: string): WriteStats {
    let encoded: Buffer | null = null;
    let frame: Buffer[] | null = null;
    let written = 0;
    let dropped = 0;
    for (const socket of sockets) {
      const conn = socket.conn as unknown as EngineConnection;
      if (conn.readyState !== 'open') continue;
      try {
        const ws = conn.transport.name === 'websocket' ? conn.transport.socket : undefined;
        if ((ws?._socket?.writableLength ?? 0) > this.maxBufferedBytes || this.holdsTooMuch(conn.writeBuffer)) {
          socket.disconnect(true);
          // Drop what waits for it now, the client resumes with sinceSeq: without discard engine.io
          // keeps its packets until the client takes them (a stalled long-polling client never does),
          // and a websocket's close frame would queue behind megabytes for ws's 30 s close timeout.
          conn.close(true);
          ws?.terminate();
          this.onSlowSocket();
          dropped++;
          continue;
        }
        // Direct only while engine.io holds nothing for this socket, so nothing can be overtaken.
        // Relies on perMessageDeflate being off (RedisIoAdapter): ws then writes frames in call order.
        if (ws?._sender && ws._socket && ws.readyState === WS_OPEN && conn.writeBuffer.length === 0) {
          encoded ??= Buffer.from(`4${packet}`);
          frame ??= [Buffer.concat(Sender.frame(encoded, FRAME_OPTIONS))];
          ws._sender.sendFrame(frame);
        } else {
          conn.write(packet);
        }
        written++;
      } catch {
        // A socket that cannot be written to is cut; it resumes with sinceSeq and loses nothing.
        socket.disconnect(true);
        dropped++;
      }
    }
    // The Engine.IO message type '4' is the one byte that is not the packet's.
    return { written, dropped, bytes: encoded ? encoded.length - 1 : Buffer.byteLength(packet) };
  }

  /**
   * What engine.io holds for a socket that is not taking it (a polling client that stopped polling):
   * too many packets, or more than the byte cap, like a websocket's unsent bytes.
   */
  private holdsTooMuch(held: { data?: unknown }[]): boolean {
    if (held.length > MAX_QUEUED_PACKETS) return true;
    // Usually empty, or a packet or two waiting for a websocket write to complete: cheap to count.
    let bytes = 0;
    for (const packet of held) bytes += typeof packet.data === 'string' ? packet.data.length : 0;
    return bytes > this.maxBufferedBytes;
  }
}

/** The Socket.IO packet of `socket.emit(event, payloadJson)` on the default namespace. */
export function eventPacket(event: string, payloadJson: string): string {
  return `2[${JSON.stringify(event)},${payloadJson}]`;
}
