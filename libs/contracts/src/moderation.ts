import { z } from 'zod';
import { actorSchema } from './messages.js';
import { idSchema } from './schemas.js';

/** The moderation service's contract over the Redis Streams transport (service `moderation`). */
export const MODERATION_SERVICE = 'moderation';

export const MODERATION_PATTERNS = {
  /** mod:mute / unmute / ban / unban / delete / slowmode. */
  act: 'moderation.act',
  termsGet: 'moderation.terms.get',
  termsPut: 'moderation.terms.put',
  /** The dictionary the barrage service filters with: { version, terms }. */
  dictionary: 'moderation.dictionary',
} as const;

/** Client payloads of §6 (validated by the gateway, again by moderation). */
export const modMuteSchema = z.strictObject({ roomId: idSchema, userId: idSchema, seconds: z.number().int().min(1).max(86400).optional() });
export const modTargetSchema = z.strictObject({ roomId: idSchema, userId: idSchema });
export const modDeleteSchema = z.strictObject({ roomId: idSchema, seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
export const modSlowmodeSchema = z.strictObject({ roomId: idSchema, seconds: z.number().int().min(0).max(300) });

/** Mute length when mod:mute gives no seconds. */
export const DEFAULT_MUTE_SECONDS = 600;

export const modActionSchema = z.discriminatedUnion('action', [
  modMuteSchema.extend({ action: z.literal('mute') }),
  modTargetSchema.extend({ action: z.literal('unmute') }),
  modTargetSchema.extend({ action: z.literal('ban') }),
  modTargetSchema.extend({ action: z.literal('unban') }),
  modDeleteSchema.extend({ action: z.literal('delete') }),
  modSlowmodeSchema.extend({ action: z.literal('slowmode') }),
]);
export type ModAction = z.infer<typeof modActionSchema>;

export const moderationActCommandSchema = z.strictObject({ actor: actorSchema, act: modActionSchema });
export type ModerationActCommand = z.input<typeof moderationActCommandSchema>;
/** `seq` of the room event the action produced (ban, delete, slowmode), if any. */
export const moderationActResultSchema = z.strictObject({ seq: z.number().int().positive().optional() });

export const termRuleSchema = z.strictObject({ term: z.string().trim().min(1).max(100), action: z.enum(['block', 'mask']) });
export type TermRuleInput = z.infer<typeof termRuleSchema>;
export const termsPutSchema = z.strictObject({ terms: z.array(termRuleSchema).max(20000) });
export const termsCommandSchema = z.strictObject({ actor: actorSchema, terms: z.array(termRuleSchema).max(20000) });
export const termsGetCommandSchema = z.strictObject({ actor: actorSchema });
export const termsListSchema = z.strictObject({ terms: z.array(termRuleSchema), version: z.string() });
export type TermsList = z.infer<typeof termsListSchema>;

export const dictionaryCommandSchema = z.strictObject({});
export const dictionarySchema = termsListSchema;
