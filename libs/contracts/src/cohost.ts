import { z } from 'zod';
import { actorSchema } from './messages.js';
import { idSchema } from './schemas.js';

/** The co-host service's contract over the Redis Streams transport (service `cohost`), PROTOCOL §5. */
export const COHOST_SERVICE = 'cohost';

export const COHOST_PATTERNS = {
  request: 'cohost.request',
  invite: 'cohost.invite',
  accept: 'cohost.accept',
  reject: 'cohost.reject',
  cancel: 'cohost.cancel',
  end: 'cohost.end',
  signal: 'cohost.signal',
} as const;

/** Client events of §5 (server -> client: cohost:update, cohost:signal). */
export const COHOST_EVENTS = {
  request: 'cohost:request',
  invite: 'cohost:invite',
  accept: 'cohost:accept',
  reject: 'cohost:reject',
  cancel: 'cohost:cancel',
  end: 'cohost:end',
  signal: 'cohost:signal',
  update: 'cohost:update',
} as const;

/** A session's life: PROTOCOL §5. */
export const COHOST_PENDING_TTL_MS = 30_000;
export const COHOST_DISCONNECT_GRACE_MS = 15_000;
/** Largest `data` of one cohost:signal, as JSON. */
export const COHOST_SIGNAL_MAX_BYTES = 16 * 1024;

export const COHOST_END_REASONS = ['rejected', 'cancelled', 'timeout', 'ended', 'kicked', 'disconnected', 'room_ended'] as const;
export type CohostEndReason = (typeof COHOST_END_REASONS)[number];

/** Opaque to clients; carries the room id so that a session's keys are found without a lookup. */
export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}~[A-Za-z0-9_-]{8,32}$/, 'not a session id');

export const cohostRequestSchema = z.strictObject({ roomId: idSchema });
export const cohostInviteSchema = z.strictObject({ roomId: idSchema, userId: idSchema });
export const cohostSessionRefSchema = z.strictObject({ sessionId: sessionIdSchema });
export const cohostSignalSchema = z.strictObject({
  sessionId: sessionIdSchema,
  // Any JSON; the size is checked on its serialized form.
  data: z.json().refine((d) => d !== undefined && Buffer.byteLength(JSON.stringify(d)) <= COHOST_SIGNAL_MAX_BYTES, 'data must be JSON of at most 16 KiB'),
});

export const cohostSessionSchema = z.strictObject({
  id: sessionIdSchema,
  roomId: idSchema,
  hostId: idSchema,
  guestId: idSchema,
  initiator: z.enum(['host', 'guest']),
  state: z.enum(['pending', 'active', 'ended']),
  endReason: z.enum(COHOST_END_REASONS).optional(),
  createdAt: z.number().int(),
  /** Pending: when it times out. Active with the guest gone: when the grace period ends. */
  expiresAt: z.number().int().optional(),
});
export type CohostSession = z.infer<typeof cohostSessionSchema>;

export const cohostRequestCommandSchema = z.strictObject({ actor: actorSchema, request: cohostRequestSchema });
export const cohostInviteCommandSchema = z.strictObject({ actor: actorSchema, invite: cohostInviteSchema });
export const cohostSessionCommandSchema = z.strictObject({ actor: actorSchema, sessionId: sessionIdSchema });
export const cohostSignalCommandSchema = z.strictObject({ actor: actorSchema, signal: cohostSignalSchema });
export type CohostRequestCommand = z.input<typeof cohostRequestCommandSchema>;
export type CohostInviteCommand = z.input<typeof cohostInviteCommandSchema>;
export type CohostSessionCommand = z.input<typeof cohostSessionCommandSchema>;
export type CohostSignalCommand = z.input<typeof cohostSignalCommandSchema>;

export const cohostSessionResultSchema = z.strictObject({ session: cohostSessionSchema });
export const cohostSignalResultSchema = z.strictObject({});

/** Server -> client payloads. */
export interface CohostUpdate {
  session: CohostSession;
}
export interface CohostSignalRelay {
  sessionId: string;
  from: string;
  data: unknown;
}

/** BullMQ queue of the co-host timers (pending timeout, disconnect grace, presence sweep). */
export const COHOST_TIMER_QUEUE = 'cohost-timers';
export const COHOST_JOBS = { pendingTimeout: 'pending-timeout', disconnectGrace: 'disconnect-grace', sweep: 'sweep' } as const;
export const cohostTimerJobSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('pending-timeout'), sessionId: sessionIdSchema }),
  z.strictObject({ kind: z.literal('disconnect-grace'), sessionId: sessionIdSchema, offlineSince: z.number().int() }),
  z.strictObject({ kind: z.literal('sweep') }),
]);
export type CohostTimerJob = z.infer<typeof cohostTimerJobSchema>;

export function roomOfSession(sessionId: string): string {
  return sessionId.slice(0, sessionId.lastIndexOf('~'));
}
