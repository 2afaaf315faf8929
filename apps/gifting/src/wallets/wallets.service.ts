import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { GiftSendResult, Wallet } from '#contracts';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { Accounts } from '../ledger/accounts.js';
import { LedgerService } from '../ledger/ledger.service.js';

@Injectable()
export class WalletsService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly idempotency: IdempotencyService,
  ) {}

  async get(userId: string): Promise<Wallet> {
    return { userId, balance: await this.ledger.walletBalance(userId) };
  }

  /** A confirmed top-up: platform cash-in -> the user's wallet, idempotent per (userId, idempotencyKey). */
  credit(userId: string, credit: { amount: number; idempotencyKey: string }): Promise<GiftSendResult> {
    const request = JSON.stringify({ amount: credit.amount });
    return this.idempotency.run({ scope: 'topup', userId, key: credit.idempotencyKey, request }, async (q) => {
      const txId = randomUUID();
      const balance = await this.ledger.creditWallet(q, userId, credit.amount);
      await this.ledger.post(q, { id: txId, kind: 'topup', userId, value: credit.amount }, [
        { accountId: Accounts.cashIn, amount: -credit.amount },
        { accountId: Accounts.wallet(userId), amount: credit.amount },
      ]);
      return { ok: true, value: { txId, balance } };
    });
  }
}
