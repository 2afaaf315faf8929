import { z } from 'zod';
import { LiveroomError } from './liveroom-error.js';

/** Ids of users and rooms: 1-64 chars of [A-Za-z0-9_.:-] (PROTOCOL §1). */
export const idSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 chars of [A-Za-z0-9_.:-]');

/**
 * An idempotency key: 8-128 characters, stored in PostgreSQL, so no NUL and no lone surrogate (two
 * such keys that differ in JavaScript would be the same text in the database).
 */
const idempotencyKeySchema = z
  .string()
  .min(8)
  .max(128)
  .refine((key) => !/[\0\uD800-\uDFFF]/u.test(key), 'must be text without NUL characters or lone surrogates');

const seqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Length in Unicode code points, so an emoji counts as one character. */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export const roomJoinSchema = z.strictObject({ roomId: idSchema, sinceSeq: seqSchema.optional() });
export const roomLeaveSchema = z.strictObject({ roomId: idSchema });

export const BARRAGE_TEXT_MAX = 200;
/** PROTOCOL §1: a client payload larger than this closes the connection. */
export const PAYLOAD_MAX_BYTES = 16 * 1024;
export const barrageSendSchema = z.strictObject({
  roomId: idSchema,
  // Bounded before trimming only by what a payload can carry (PROTOCOL §1: 16 KiB), so leading and
  // trailing blanks never make a valid text too long: the 1-200 rule applies after trimming.
  text: z
    .string()
    .max(PAYLOAD_MAX_BYTES)
    .transform((t) => t.trim())
    .refine((t) => t.length > 0 && codePoints(t) <= BARRAGE_TEXT_MAX, 'text must be 1-200 characters after trimming'),
  clientMsgId: z.string().min(1).max(64),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'color must be #rrggbb')
    .optional(),
  mode: z.enum(['scroll', 'top', 'bottom']).optional(),
});

export const likeSendSchema = z.strictObject({
  roomId: idSchema,
  count: z.number().int().min(1).max(100).optional(),
});

export const createRoomSchema = z.strictObject({ title: z.string().trim().min(1).max(100) });
export const addModeratorSchema = z.strictObject({ userId: idSchema });

export type RoomJoinInput = z.infer<typeof roomJoinSchema>;
export type RoomLeaveInput = z.infer<typeof roomLeaveSchema>;
export type BarrageSendInput = z.infer<typeof barrageSendSchema>;
export type LikeSendInput = z.infer<typeof likeSendSchema>;

/** Parses untrusted input; anything that does not fit becomes INVALID_ARGUMENT with a readable reason. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new LiveroomError('INVALID_ARGUMENT', 'payload must be a JSON object');
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new LiveroomError('INVALID_ARGUMENT', `${path}${issue?.message ?? 'invalid payload'}`);
}

/** gift:send (PROTOCOL §4). */
export const giftSendSchema = z.strictObject({
  roomId: idSchema,
  giftId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'giftId must be 1-64 chars of [A-Za-z0-9_.:-]'),
  count: z.number().int().min(1).max(9999),
  idempotencyKey: idempotencyKeySchema,
});
export type GiftSendInput = z.infer<typeof giftSendSchema>;

/** POST /v1/admin/wallets/:userId/credits body (PROTOCOL §7): a confirmed top-up. */
export const walletCreditSchema = z.strictObject({
  amount: z.number().int().min(1).max(1_000_000_000),
  idempotencyKey: idempotencyKeySchema,
});

export const leaderboardQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
});
