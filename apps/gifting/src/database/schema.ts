import type { SchemaSet } from '#persistence';
import {
  GiftEntity,
  GiftOutboxEntity,
  IdempotencyKeyEntity,
  LedgerAccountEntity,
  LedgerEntryEntity,
  LedgerTxEntity,
  WalletEntity,
} from './entities.js';
import { CreateGifting1765000000000 } from './migrations/1765000000000-create-gifting.js';
import { SendGiftFunction1766000000000 } from './migrations/1766000000000-send-gift-function.js';
import { SendGiftsBatchFunction1767000000000 } from './migrations/1767000000000-send-gifts-batch-function.js';
import { AppendOnlyLedger1768000000000 } from './migrations/1768000000000-append-only-ledger.js';

/** What gifting owns in the shared database; its migration history is its own table. */
export const GIFTING_SCHEMA: SchemaSet = {
  entities: [GiftEntity, LedgerAccountEntity, WalletEntity, LedgerTxEntity, LedgerEntryEntity, IdempotencyKeyEntity, GiftOutboxEntity],
  migrations: [CreateGifting1765000000000, SendGiftFunction1766000000000, SendGiftsBatchFunction1767000000000, AppendOnlyLedger1768000000000],
  migrationsTableName: 'gifting_migrations',
};
