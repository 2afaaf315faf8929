import { z } from 'zod';
import { actorSchema } from './messages.js';
import { giftSendSchema, idSchema, walletCreditSchema } from './schemas.js';

/**
 * The gifting service's contract over the Redis Streams transport (service `gifting`). Requests
 * are validated again by gifting at its edge; results are validated by the gateway.
 */
export const GIFTING_SERVICE = 'gifting';

export const GIFTING_PATTERNS = {
  giftSend: 'gifting.gift.send',
  walletGet: 'gifting.wallet.get',
  walletCredit: 'gifting.wallet.credit',
  giftsList: 'gifting.gifts.list',
  leaderboard: 'gifting.leaderboard',
  ledgerCheck: 'gifting.ledger.check',
} as const;

export const giftSendCommandSchema = z.strictObject({ actor: actorSchema, gift: giftSendSchema });
export type GiftSendCommand = z.input<typeof giftSendCommandSchema>;
/**
 * A gift's room event before the room log sequences it (no seq, ts): what the outbox stores and the
 * relay reads back, validated there like any other queue input.
 */
export const giftDraftSchema = z.object({
  type: z.literal('gift'),
  txId: z.string().min(1).max(64),
  userId: idSchema,
  // Lengths are the catalog's and the token's business: here only the types are checked.
  name: z.string(),
  giftId: z.string().min(1),
  giftName: z.string().min(1),
  count: z.number().int().min(1),
  value: z.number().int().min(1),
});

export const giftSendResultSchema = z.strictObject({ txId: z.string().min(1).max(64), balance: z.number().int().min(0) });
export type GiftSendResult = z.infer<typeof giftSendResultSchema>;

export const walletGetCommandSchema = z.strictObject({ userId: idSchema });
export const walletSchema = z.strictObject({ userId: idSchema, balance: z.number().int().min(0) });
export type Wallet = z.infer<typeof walletSchema>;

export const walletCreditCommandSchema = z.strictObject({ userId: idSchema, credit: walletCreditSchema });
export type WalletCreditCommand = z.input<typeof walletCreditCommandSchema>;
export const walletCreditResultSchema = giftSendResultSchema;

export const giftsListCommandSchema = z.strictObject({});
export const giftCatalogSchema = z.array(z.strictObject({ id: z.string(), name: z.string(), price: z.number().int().positive() }));
export type GiftCatalog = z.infer<typeof giftCatalogSchema>;

export const leaderboardCommandSchema = z.strictObject({ roomId: idSchema, limit: z.number().int().min(1).max(100) });
export const leaderboardSchema = z.array(z.strictObject({ userId: idSchema, name: z.string(), value: z.number().int().min(0) }));
export type Leaderboard = z.infer<typeof leaderboardSchema>;

export const ledgerCheckCommandSchema = z.strictObject({});
export const ledgerCheckSchema = z.strictObject({
  balanced: z.boolean(),
  totalDebits: z.number().int(),
  totalCredits: z.number().int(),
  accounts: z.number().int(),
  mismatches: z.array(z.strictObject({ accountId: z.string(), balance: z.number().int(), entriesSum: z.number().int() })),
  undispatchedOutbox: z.number().int(),
  oldestUndispatchedMs: z.number().int().nullable(),
});
export type LedgerCheck = z.infer<typeof ledgerCheckSchema>;
