import type {
  BarrageSendResult,
  CohostSession,
  CohostSignalRelay,
  CohostUpdate,
  GiftSendResult,
  RoomEvent,
  RoomJoinResult,
  RoomKickedFrame,
  RoomSnapshot,
  RoomStatsFrame,
  WireError,
} from '#contracts';

export type { BarrageSendResult, CohostSession, CohostSignalRelay, CohostUpdate, GiftSendResult, RoomEvent, RoomJoinResult, RoomKickedFrame, RoomSnapshot, RoomStatsFrame, WireError };

export type Ack<T> = ({ ok: true } & T) | { ok: false; error: WireError };

/** What a joined room reports to the application. */
export interface RoomHandlers {
  /** Every room event, once, in seq order, across reconnects and gateway changes. */
  onEvents?(events: RoomEvent[]): void;
  /** A fresh snapshot: on the first join, and after a resync (history no longer reached back). */
  onSnapshot?(room: RoomSnapshot, reason: 'joined' | 'resync'): void;
  onStats?(stats: RoomStatsFrame): void;
  onKicked?(kicked: RoomKickedFrame): void;
}

export interface LiveroomClientOptions {
  /** Gateway base URLs, e.g. ['https://gw1.example', 'https://gw2.example']. */
  urls: string[];
  /** JWT (HS256) from your auth service; omit for an anonymous read-only viewer. */
  token?: string | (() => string | Promise<string>);
  /** Rank gateways for this key (usually the room id) so a room's viewers share a node. */
  affinityKey?: string;
  /** Per-request ack timeout (default 5000 ms). */
  ackTimeoutMs?: number;
  /** Socket.IO transports (default ['websocket']). */
  transports?: ('websocket' | 'polling')[];
  /**
   * After an unexpected disconnect, wait a random 0..reconnectJitterMs (default 500) before
   * reconnecting: a dead gateway's clients then reach the others spread out, not in one instant.
   */
  reconnectJitterMs?: number;
  /** How long one connection attempt may take before the next gateway is tried (default 20000 ms). */
  connectTimeoutMs?: number;
}

export class LiveroomRequestError extends Error {
  constructor(readonly error: WireError) {
    super(`${error.code}: ${error.message}`);
    this.name = 'LiveroomRequestError';
  }
  get code(): WireError['code'] {
    return this.error.code;
  }
}
