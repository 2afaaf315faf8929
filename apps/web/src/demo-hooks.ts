import type { LeaderboardEntry } from './api.js';
import type { BarrageMode } from './barrage-stage.js';

/** Which view shows, and whether the room takes writes (only while `joined`). */
export type Phase = 'signed-out' | 'lobby' | 'joining' | 'joined' | 'kicked' | 'ended' | 'error';
/** The caller's standing in the open room (GET /v1/rooms/:id/role); decides the moderator controls. */
export type RoomRole = 'host' | 'admin' | 'moderator' | 'viewer' | 'anonymous';

/**
 * The page's observable state on `window.liveroomDemo`: a console handle for people trying the demo,
 * and what the browser test waits on (apps/web/test/demo-room.browser.test.ts) instead of sleeping.
 */
export interface DemoHooks {
  phase: Phase;
  userId: string | null;
  roomId: string | null;
  hostId: string | null;
  role: RoomRole | null;
  connected: boolean;
  likes: number;
  viewers: number;
  balance: number | null;
  seats: string[];
  slowModeSec: number;
  /** Barrage put on the stage, in arrival order. */
  rendered: { seq: number; userId: string; text: string; color: string; mode: BarrageMode }[];
  /** Gift events received, in arrival order. */
  gifts: { seq: number; txId: string; userId: string; giftId: string; count: number }[];
  leaderboard: LeaderboardEntry[];
  /** Seqs of messages a moderator deleted. */
  deleted: number[];
  notices: { kind: 'error' | 'info'; code?: string; text: string }[];
  log: string[];
}

declare global {
  interface Window {
    liveroomDemo: DemoHooks;
  }
}

const MAX_LIST = 500;

export const hooks: DemoHooks = {
  phase: 'signed-out',
  userId: null,
  roomId: null,
  hostId: null,
  role: null,
  connected: false,
  likes: 0,
  viewers: 0,
  balance: null,
  seats: [],
  slowModeSec: 0,
  rendered: [],
  gifts: [],
  leaderboard: [],
  deleted: [],
  notices: [],
  log: [],
};
window.liveroomDemo = hooks;

/** Appends to a hooks list, keeping it bounded (a demo left open for hours must not grow forever). */
export function record<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_LIST) list.shift();
}

export function log(line: string): void {
  record(hooks.log, `${new Date().toISOString().slice(11, 23)} ${line}`);
}

/** Forgets everything about the previous room. */
export function resetRoomHooks(roomId: string | null): void {
  Object.assign(hooks, { roomId, hostId: null, role: null, likes: 0, viewers: 0, seats: [], slowModeSec: 0, rendered: [], gifts: [], leaderboard: [], deleted: [] });
}
