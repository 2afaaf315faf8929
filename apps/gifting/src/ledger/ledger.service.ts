import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import type { LedgerCheck } from '#contracts';
import { rows, toInt } from '#persistence';
import { readOutboxBacklog } from '../outbox/outbox.service.js';
import { type AccountKind, Accounts } from './accounts.js';

export interface LedgerTx {
  id: string;
  kind: 'gift' | 'topup';
  userId: string;
  value: number;
  roomId?: string;
  hostId?: string;
  giftId?: string;
  count?: number;
}

export interface Entry {
  accountId: string;
  amount: number;
}

export interface AccountSpec {
  id: string;
  kind: AccountKind;
  ownerId: string | null;
}

/**
 * The double-entry ledger. Every method that writes takes the caller's transaction (QueryRunner):
 * a transfer is only ever part of a larger unit (idempotency record, outbox row).
 */
@Injectable()
export class LedgerService {
  constructor(private readonly db: DataSource) {}

  /** Credits a wallet (created, with its account, on first credit). Returns the new balance. */
  async creditWallet(q: QueryRunner, userId: string, amount: number): Promise<number> {
    const accountId = Accounts.wallet(userId);
    await q.query(`INSERT INTO ledger_accounts (id, kind, owner_id) VALUES ($1, 'wallet', $2) ON CONFLICT DO NOTHING`, [accountId, userId]);
    const updated = await rows<{ balance: string }>(
      q,
      `INSERT INTO wallets (user_id, account_id, balance) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET balance = wallets.balance + EXCLUDED.balance, updated_at = now()
       RETURNING balance`,
      [userId, accountId, amount],
    );
    return toInt(updated[0]?.balance);
  }

  /**
   * Records one transfer: the ledger_tx row, any missing accounts and the entries, in one statement.
   * Entries must sum to zero; zero amounts are dropped (a 1-coin gift gives the host floor(0.5) = 0).
   */
  async post(q: QueryRunner, tx: LedgerTx, entries: Entry[], accounts: AccountSpec[] = []): Promise<void> {
    const kept = entries.filter((e) => e.amount !== 0);
    const sum = kept.reduce((s, e) => s + e.amount, 0);
    if (sum !== 0 || kept.some((e) => !Number.isSafeInteger(e.amount))) {
      throw new Error(`unbalanced transfer ${tx.id}: entries sum to ${sum}`);
    }
    await q.query(
      `WITH t AS (
         INSERT INTO ledger_tx (id, kind, user_id, room_id, host_id, gift_id, count, value)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
       ), a AS (
         INSERT INTO ledger_accounts (id, kind, owner_id)
         SELECT * FROM unnest($9::varchar[], $10::varchar[], $11::varchar[])
         ON CONFLICT DO NOTHING
       )
       INSERT INTO ledger_entries (tx_id, account_id, amount)
       SELECT (SELECT id FROM t), e.account_id, e.amount FROM unnest($12::varchar[], $13::bigint[]) AS e (account_id, amount)`,
      [
        tx.id,
        tx.kind,
        tx.userId,
        tx.roomId ?? null,
        tx.hostId ?? null,
        tx.giftId ?? null,
        tx.count ?? null,
        tx.value,
        accounts.map((a) => a.id),
        accounts.map((a) => a.kind),
        accounts.map((a) => a.ownerId),
        kept.map((e) => e.accountId),
        kept.map((e) => String(e.amount)),
      ],
    );
  }

  /** Wallet balance; a user who never had a wallet has 0. */
  async walletBalance(userId: string): Promise<number> {
    const found = await this.db.query(`SELECT balance FROM wallets WHERE user_id = $1`, [userId]);
    return toInt((found as { balance: string }[])[0]?.balance);
  }

  /** Balance of any account from its entries (host earnings, platform revenue). */
  async accountBalance(accountId: string): Promise<number> {
    const found = await this.db.query(`SELECT COALESCE(SUM(amount), 0) AS sum FROM ledger_entries WHERE account_id = $1`, [accountId]);
    return toInt((found as { sum: string }[])[0]?.sum);
  }

  /** Audit: every transfer balanced, stored wallet balances equal their entries, outbox backlog. */
  async check(): Promise<LedgerCheck> {
    const [totals] = (await this.db.query(`
      SELECT COALESCE(SUM(amount), 0) AS total,
             COALESCE(SUM(-amount) FILTER (WHERE amount < 0), 0) AS debits,
             COALESCE(SUM(amount) FILTER (WHERE amount > 0), 0) AS credits,
             EXISTS (SELECT 1 FROM ledger_entries GROUP BY tx_id HAVING SUM(amount) <> 0) AS unbalanced_tx,
             (SELECT COUNT(*) FROM ledger_accounts) AS accounts
      FROM ledger_entries`)) as { total: string; debits: string; credits: string; unbalanced_tx: boolean; accounts: string }[];
    const mismatches = (await this.db.query(`
      SELECT w.account_id, w.balance, COALESCE(s.sum, 0) AS entries_sum
      FROM wallets w LEFT JOIN (
        SELECT account_id, SUM(amount) AS sum FROM ledger_entries WHERE account_id LIKE 'wallet:%' GROUP BY account_id
      ) s ON s.account_id = w.account_id
      WHERE w.balance <> COALESCE(s.sum, 0)
      ORDER BY w.account_id LIMIT 100`)) as { account_id: string; balance: string; entries_sum: string }[];
    const outbox = await readOutboxBacklog(this.db);
    return {
      balanced: toInt(totals?.total) === 0 && totals?.unbalanced_tx === false,
      totalDebits: toInt(totals?.debits),
      totalCredits: toInt(totals?.credits),
      accounts: toInt(totals?.accounts),
      mismatches: mismatches.map((m) => ({ accountId: m.account_id, balance: toInt(m.balance), entriesSum: toInt(m.entries_sum) })),
      undispatchedOutbox: outbox.pending,
      oldestUndispatchedMs: outbox.oldestMs,
    };
  }
}
