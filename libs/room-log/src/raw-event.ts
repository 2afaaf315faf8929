import type { RoomEvent } from '#contracts';

/**
 * A sequenced room event as the room log stores and publishes it: the JSON text (spliced into
 * frames as is, never serialised again) and the event parsed once on arrival.
 */
export interface RawRoomEvent {
  seq: number;
  type: RoomEvent['type'];
  json: string;
  event: RoomEvent;
}

const TYPES: ReadonlySet<string> = new Set(['barrage', 'gift', 'cohost', 'moderation', 'room']);

/** Parses a room-log entry; null for anything that is not one (never trusted blindly). */
export function toRaw(json: string): RawRoomEvent | null {
  let event: unknown;
  try {
    event = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof event !== 'object' || event === null) return null;
  const { seq, type } = event as { seq?: unknown; type?: unknown };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return null;
  if (typeof type !== 'string' || !TYPES.has(type)) return null;
  return { seq, type: type as RoomEvent['type'], json, event: event as RoomEvent };
}
