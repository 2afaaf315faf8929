import { giftSendSchema, walletCreditSchema } from './schemas.js';

/** Idempotency keys end up in PostgreSQL text: keys that would collide or fail there are refused at the edge. */
it('refuses idempotency keys with NUL or lone surrogates, accepts any other text of 8-128 characters', () => {
  const gift = (idempotencyKey: string) => giftSendSchema.safeParse({ roomId: 'r1', giftId: 'rose', count: 1, idempotencyKey }).success;
  expect(gift('key-0001')).toBe(true);
  expect(gift('礼物-🎁-0001')).toBe(true);
  expect(gift('key-\u00000001')).toBe(false);
  expect(gift('key-0001\uD800')).toBe(false);
  expect(gift('key-0001\uDC00')).toBe(false);
  expect(gift('short')).toBe(false);
  expect(walletCreditSchema.safeParse({ amount: 10, idempotencyKey: 'key-\u00000001' }).success).toBe(false);
  expect(walletCreditSchema.safeParse({ amount: 10, idempotencyKey: 'topup-0001' }).success).toBe(true);
});
