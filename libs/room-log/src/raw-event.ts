/**
 * A sequenced room event as the room log stores and publishes it: its JSON text (which starts with
 * `{"seq":N,`) and its seq. The gateway splices the JSON into frames without parsing it again.
 */
export interface RawRoomEvent {
  seq: number;
  json: string;
}

const SEQ_PREFIX = '{"seq":';

/** Reads the seq from the head of an event's JSON; NaN if the text is not a room-log event. */
export function seqOf(json: string): number {
  if (!json.startsWith(SEQ_PREFIX)) return Number.NaN;
  const end = json.indexOf(',', SEQ_PREFIX.length);
  return Number(json.slice(SEQ_PREFIX.length, end === -1 ? undefined : end));
}

export function toRaw(json: string): RawRoomEvent | null {
  const seq = seqOf(json);
  return Number.isSafeInteger(seq) && seq > 0 ? { seq, json } : null;
}
