import { z } from 'zod';
import { barrageSendSchema, idSchema } from './schemas.js';

/**
 * App-to-app contracts carried by the Redis Streams transport: services (streams), message patterns,
 * and the payload schemas the receiving side validates at its edge.
 */
export const SERVICES = { barrage: 'barrage' } as const;
export type ServiceName = (typeof SERVICES)[keyof typeof SERVICES];

export const PATTERNS = { barrageSend: 'barrage.send' } as const;

/** The sender, as the gateway authenticated it. */
export const actorSchema = z.strictObject({
  userId: idSchema,
  // 32 characters (code points, as the gateway cuts a token's name): up to 64 UTF-16 units with emoji.
  name: z.string().max(64),
  roles: z.array(z.string().max(64)).max(16),
});
export type Actor = z.infer<typeof actorSchema>;

export const barrageSendCommandSchema = z.strictObject({
  actor: actorSchema,
  // Re-validated on the barrage side: the transport is an edge too.
  message: barrageSendSchema,
});
export type BarrageSendCommand = z.input<typeof barrageSendCommandSchema>;

/** The barrage service's answer, checked by the gateway before it reaches a client. */
export const barrageSendResultSchema = z.strictObject({
  seq: z.number().int().positive(),
  id: z.string().min(1).max(64),
  masked: z.boolean().optional(),
});
