import type { Logger } from '@nestjs/common';
import { isRawEntry, type RawEntry } from './consumer-liveness.js';
import { z } from 'zod';
import { LiveroomError, type WireError } from '#contracts';

/**
 * Wire format of the Redis Streams transport.
 *
 * A stream entry is a flat list of string fields. Requests carry a correlation id, the reply
 * channel and a deadline; events carry none of them (no reply is ever sent for an event).
 * Everything read back from Redis is validated: a malformed entry must be dropped, never crash
 * the consumer loop.
 */

/** String map carried next to the payload (trace context and other out-of-band values). */
export type MessageHeaders = Record<string, string>;

export interface StreamRequest {
  kind: 'request';
  id: string;
  pattern: string;
  data: unknown;
  replyTo: string;
  /** Epoch ms after which the caller has given up (its own timeout fired). */
  deadline: number;
  headers: MessageHeaders;
}

export interface StreamEvent {
  kind: 'event';
  pattern: string;
  data: unknown;
  headers: MessageHeaders;
}

export type StreamMessage = StreamRequest | StreamEvent;

/** What the server publishes on the caller's reply channel: always exactly one, final packet. */
export interface ReplyPacket {
  id: string;
  response?: unknown;
  err?: WireError;
  isDisposed: true;
}

export type DecodeResult = { ok: true; message: StreamMessage } | { ok: false; reason: string };

const headersSchema = z.record(z.string(), z.string());

const jsonText = z.string().transform((text, ctx): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
    return z.NEVER;
  }
});

const headersText = jsonText.pipe(headersSchema);

const requestFields = z.object({
  id: z.string().min(1).max(128),
  pattern: z.string().min(1),
  data: jsonText,
  replyTo: z.string().min(1),
  deadline: z.coerce.number().int().positive(),
  headers: headersText,
});

const eventFields = z.object({
  pattern: z.string().min(1),
  data: jsonText,
  headers: headersText,
});

const replySchema = z.object({
  id: z.string().min(1),
  response: z.unknown().optional(),
  err: z.unknown().optional(),
  isDisposed: z.literal(true),
});

/** Field/value list for XADD. */
export function encodeMessage(message: StreamMessage): string[] {
  const data = JSON.stringify(message.data ?? null);
  const headers = JSON.stringify(message.headers);
  if (message.kind === 'event') {
    return ['pattern', message.pattern, 'data', data, 'headers', headers];
  }
  return [
    'id',
    message.id,
    'pattern',
    message.pattern,
    'data',
    data,
    'replyTo',
    message.replyTo,
    'deadline',
    String(message.deadline),
    'headers',
    headers,
  ];
}

/** Turns the flat field list ioredis returns for an entry into a record (last duplicate wins). */
export function fieldsToRecord(fields: unknown): Record<string, string> | null {
  if (!Array.isArray(fields) || fields.length % 2 !== 0) return null;
  const record: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) {
    const key: unknown = fields[i];
    const value: unknown = fields[i + 1];
    if (typeof key !== 'string' || typeof value !== 'string') return null;
    record[key] = value;
  }
  return record;
}

/** Validates a stream entry's fields; the presence of `replyTo` makes it a request. */
export function decodeMessage(fields: unknown): DecodeResult {
  const record = fieldsToRecord(fields);
  if (!record) return { ok: false, reason: 'entry fields are not a flat string list' };
  if ('replyTo' in record) {
    const parsed = requestFields.safeParse(record);
    if (!parsed.success) return { ok: false, reason: describe(parsed.error) };
    return { ok: true, message: { kind: 'request', ...parsed.data } };
  }
  const parsed = eventFields.safeParse(record);
  if (!parsed.success) return { ok: false, reason: describe(parsed.error) };
  return { ok: true, message: { kind: 'event', ...parsed.data } };
}

export function encodeReply(reply: ReplyPacket): string {
  return JSON.stringify(reply);
}

/**
 * Parses a reply published by a server. An `err` that is not a WireError is replaced by INTERNAL,
 * so callers can always hand the error to `LiveroomError.from` and get a meaningful code.
 */
export function decodeReply(raw: string): ReplyPacket | null {
  let json: unknown;
  try {
    json = JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
  const parsed = replySchema.safeParse(json);
  if (!parsed.success) return null;
  const { id, response, err } = parsed.data;
  const reply: ReplyPacket = { id, isDisposed: true };
  if (err !== undefined && err !== null) {
    reply.err = LiveroomError.from(err).toWire();
  } else if (response !== undefined) {
    reply.response = response;
  }
  return reply;
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(entry)'}: ${issue.message}`).join('; ');
}

/** XREADGROUP reply: [[stream, [[id, fields], ...]]] or null on timeout. */
export function entriesOf(reply: unknown): RawEntry[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((stream: unknown) =>
    Array.isArray(stream) && Array.isArray(stream[1]) ? (stream[1] as unknown[]).filter(isRawEntry) : [],
  );
}

export function serializeReply(reply: ReplyPacket, logger: Pick<Logger, 'error'>): string {
  try {
    return encodeReply(reply);
  } catch (error) {
    logger.error(`reply ${reply.id} is not serializable: ${error instanceof Error ? error.message : String(error)}`);
    return encodeReply({ id: reply.id, err: { code: 'INTERNAL', message: 'internal error' }, isDisposed: true });
  }
}
