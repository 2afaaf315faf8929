/** Payload types of PROTOCOL.md (client contract). Add fields freely; never rename. */

export interface BarrageEvent {
  seq: number;
  type: 'barrage';
  ts: number;
  id: string;
  userId: string;
  name: string;
  text: string;
  color?: string;
  mode?: BarrageMode;
  /** Set when moderation masked terms in `text` (an addition to PROTOCOL §3). */
  masked?: true;
}

export interface GiftEvent {
  seq: number;
  type: 'gift';
  ts: number;
  txId: string;
  userId: string;
  name: string;
  giftId: string;
  giftName: string;
  count: number;
  value: number;
}

export interface CohostEvent {
  seq: number;
  type: 'cohost';
  ts: number;
  action: 'joined' | 'left';
  userId: string;
  seats: string[];
}

export type ModerationEvent =
  | { seq: number; type: 'moderation'; ts: number; action: 'delete'; targetSeq: number }
  | { seq: number; type: 'moderation'; ts: number; action: 'slowmode'; seconds: number }
  | { seq: number; type: 'moderation'; ts: number; action: 'ban'; userId: string };

export interface RoomLifecycleEvent {
  seq: number;
  type: 'room';
  ts: number;
  action: 'ended';
}

export type RoomEvent = BarrageEvent | GiftEvent | CohostEvent | ModerationEvent | RoomLifecycleEvent;

/** A room event before the room log stamps it with `seq` and `ts`. */
export type RoomEventDraft = RoomEvent extends infer E ? (E extends RoomEvent ? Omit<E, 'seq' | 'ts'> : never) : never;

export type BarrageMode = 'scroll' | 'top' | 'bottom';

export interface RoomSnapshot {
  id: string;
  title: string;
  hostId: string;
  live: boolean;
  seq: number;
  viewers: number;
  likes: number;
  slowModeSec: number;
  cohosts: string[];
  recent: RoomEvent[];
}

export type RoomInfo = Omit<RoomSnapshot, 'recent'>;

export interface RoomJoinResult {
  room: RoomSnapshot;
  missed?: RoomEvent[];
  resync?: true;
}

export interface RoomEventsFrame {
  roomId: string;
  events: RoomEvent[];
}

export interface RoomStatsFrame {
  roomId: string;
  viewers: number;
  likes: number;
}

export interface RoomKickedFrame {
  roomId: string;
  reason: 'banned' | 'ended';
}

export interface BarrageSendResult {
  seq: number;
  id: string;
  masked?: boolean;
}

export interface CreatedRoom {
  id: string;
  title: string;
  hostId: string;
  createdAt: string;
}

/** Socket.IO event names (client <-> server). */
export const CLIENT_EVENTS = {
  roomJoin: 'room:join',
  roomLeave: 'room:leave',
  barrageSend: 'barrage:send',
  likeSend: 'like:send',
  giftSend: 'gift:send',
} as const;

export const SERVER_EVENTS = {
  roomEvents: 'room:events',
  roomStats: 'room:stats',
  roomKicked: 'room:kicked',
  /** Not in PROTOCOL.md (an addition): the gateway is draining; reconnect elsewhere within reconnectInMs. */
  serverDrain: 'server:drain',
} as const;
