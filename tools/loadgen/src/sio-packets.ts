/**
 * Engine.IO v4 / Socket.IO v5 packets as the loadgen's raw client reads and writes them (text only).
 *
 * Wire format reminders (https://socket.io/docs/v4/socket-io-protocol/):
 *   engine.io packet = <type digit><data>  (0 open, 1 close, 2 ping, 3 pong, 4 message, 5 upgrade, 6 noop)
 *   socket.io packet (inside engine "4") = <type digit>[<attachments>-][<nsp>,][<ack id>][<json>]
 *     (0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR, 5 BINARY_EVENT, 6 BINARY_ACK)
 */
export const EIO_OPEN = 0;
export const EIO_CLOSE = 1;
export const EIO_PING = 2;
export const EIO_PONG = 3;
export const EIO_MESSAGE = 4;
export const EIO_UPGRADE = 5;
export const EIO_NOOP = 6;

export const SIO_CONNECT = 0;
export const SIO_DISCONNECT = 1;
export const SIO_EVENT = 2;
export const SIO_ACK = 3;
export const SIO_CONNECT_ERROR = 4;
export const SIO_BINARY_EVENT = 5;
export const SIO_BINARY_ACK = 6;

export type SioPacket =
  | { type: typeof SIO_CONNECT; nsp: string; data: unknown }
  | { type: typeof SIO_DISCONNECT; nsp: string }
  | { type: typeof SIO_EVENT; nsp: string; id: number | undefined; name: string; args: unknown[] }
  | { type: typeof SIO_ACK; nsp: string; id: number; args: unknown[] }
  | { type: typeof SIO_CONNECT_ERROR; nsp: string; data: unknown };

export class SioParseError extends Error {}

export function nspPrefix(nsp: string): string {
  return nsp === '/' ? '' : `${nsp},`;
}

/** Full engine.io text frame for a socket.io CONNECT (`40{"token":"..."}`). */
export function encodeConnect(auth?: Record<string, unknown>, nsp = '/'): string {
  return `4${SIO_CONNECT}${nspPrefix(nsp)}${auth ? JSON.stringify(auth) : ''}`;
}

/** Full engine.io text frame for a socket.io EVENT (`42<id>["name",...args]`). */
export function encodeEvent(name: string, args: readonly unknown[], id?: number, nsp = '/'): string {
  return `4${SIO_EVENT}${nspPrefix(nsp)}${id ?? ''}${JSON.stringify([name, ...args])}`;
}

/** Full engine.io text frame for a socket.io ACK (`43<id>[...args]`). */
export function encodeAck(id: number, args: readonly unknown[], nsp = '/'): string {
  return `4${SIO_ACK}${nspPrefix(nsp)}${id}${JSON.stringify(args)}`;
}

export interface EioOpen {
  sid: string;
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

export function parseEioOpen(data: string): EioOpen {
  const v: unknown = JSON.parse(data);
  if (typeof v !== 'object' || v === null) throw new SioParseError('bad open packet');
  const o = v as Record<string, unknown>;
  if (typeof o.sid !== 'string' || typeof o.pingInterval !== 'number' || typeof o.pingTimeout !== 'number') {
    throw new SioParseError('bad open packet');
  }
  return {
    sid: o.sid,
    pingInterval: o.pingInterval,
    pingTimeout: o.pingTimeout,
    maxPayload: typeof o.maxPayload === 'number' ? o.maxPayload : 1e6,
  };
}

/**
 * Parses a socket.io packet. `frame` is the full engine.io text frame starting with "4" (message).
 * Throws SioParseError on malformed input; binary packets are rejected (not supported).
 */
export function parseSioPacket(frame: string): SioPacket {
  if (frame.charCodeAt(0) !== 0x34 /* '4' */) throw new SioParseError('not an engine.io message');
  const type = frame.charCodeAt(1) - 0x30;
  if (!(type >= 0 && type <= 6)) throw new SioParseError(`bad socket.io packet type in ${frame.slice(0, 16)}`);
  if (type === SIO_BINARY_EVENT || type === SIO_BINARY_ACK) throw new SioParseError('binary packets unsupported');
  let i = 2;
  let nsp = '/';
  if (frame.charCodeAt(i) === 0x2f /* '/' */) {
    const comma = frame.indexOf(',', i);
    const end = comma === -1 ? frame.length : comma;
    nsp = frame.slice(i, end);
    i = comma === -1 ? frame.length : comma + 1;
  }
  let id: number | undefined;
  const idStart = i;
  while (i < frame.length) {
    const c = frame.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  if (i > idStart) id = Number(frame.slice(idStart, i));
  const json = frame.slice(i);
  let data: unknown;
  if (json.length > 0) {
    try {
      data = JSON.parse(json);
    } catch {
      throw new SioParseError('bad json payload');
    }
  }
  switch (type) {
    case SIO_CONNECT:
      return { type, nsp, data };
    case SIO_DISCONNECT:
      return { type, nsp };
    case SIO_CONNECT_ERROR:
      return { type, nsp, data };
    case SIO_EVENT: {
      if (!Array.isArray(data) || data.length === 0 || typeof data[0] !== 'string') {
        throw new SioParseError('bad event payload');
      }
      return { type, nsp, id, name: data[0], args: data.slice(1) };
    }
    case SIO_ACK: {
      if (id === undefined || !Array.isArray(data)) throw new SioParseError('bad ack payload');
      return { type, nsp, id, args: data };
    }
    default:
      throw new SioParseError('unsupported packet');
  }
}

/**
 * Cheap event-name extraction for an EVENT frame without ack id in the default namespace
 * (`42["name",...]`) — lets the client skip JSON.parse for events nobody listens to.
 * Returns undefined when the frame is anything else.
 */
export function peekEventName(frame: string): string | undefined {
  if (frame.charCodeAt(0) !== 0x34 || frame.charCodeAt(1) !== 0x32 || frame.charCodeAt(2) !== 0x5b /* [ */) {
    return undefined;
  }
  if (frame.charCodeAt(3) !== 0x22 /* " */) return undefined;
  const end = frame.indexOf('"', 4);
  if (end === -1) return undefined;
  const name = frame.slice(4, end);
  return name.includes('\\') ? undefined : name;
}

/** The same as peekEventName on the undecoded bytes of a message (only short ASCII names). */
export function peekEventNameBytes(frame: Buffer, start = 0, end = frame.length): string | undefined {
  if (end - start < 5 || frame[start] !== 0x34 || frame[start + 1] !== 0x32 || frame[start + 2] !== 0x5b || frame[start + 3] !== 0x22) {
    return undefined;
  }
  // A short scan by hand: frame may be a large shared read buffer, indexOf would search past `end`.
  const limit = Math.min(end, start + 69);
  let close = start + 4;
  while (close < limit && frame[close] !== 0x22) close++;
  if (close >= limit) return undefined;
  const name = frame.toString('latin1', start + 4, close);
  return name.includes('\\') ? undefined : name;
}
