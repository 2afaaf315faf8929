import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gifting ledger. Double entry: every ledger_tx has entries that sum to zero. Only wallets keep a
 * stored balance (the one row a gift locks: the sender's); host and platform accounts are append-only
 * entries whose balance is the sum of their entries, so a popular host is never a hot row.
 * ledger_entries has no foreign key to ledger_accounts on purpose: an FK check takes a KEY SHARE lock on
 * the referenced row, which turns a hot host's account row into a multixact hot spot.
 */
export class CreateGifting1765000000000 implements MigrationInterface {
  name = 'CreateGifting1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gifts (
        id varchar(64) PRIMARY KEY,
        name varchar(64) NOT NULL,
        price bigint NOT NULL CHECK (price > 0),
        position int NOT NULL DEFAULT 0,
        active boolean NOT NULL DEFAULT true
      )`);
    await q.query(`
      CREATE TABLE ledger_accounts (
        id varchar(80) PRIMARY KEY,
        kind varchar(16) NOT NULL CHECK (kind IN ('wallet', 'host', 'revenue', 'cashin')),
        owner_id varchar(64) NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE wallets (
        user_id varchar(64) PRIMARY KEY,
        account_id varchar(80) NOT NULL UNIQUE REFERENCES ledger_accounts (id),
        balance bigint NOT NULL DEFAULT 0 CONSTRAINT wallets_balance_non_negative CHECK (balance >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE ledger_tx (
        id uuid PRIMARY KEY,
        kind varchar(16) NOT NULL CHECK (kind IN ('gift', 'topup')),
        user_id varchar(64) NOT NULL,
        room_id varchar(64) NULL,
        host_id varchar(64) NULL,
        gift_id varchar(64) NULL,
        count int NULL,
        value bigint NOT NULL CHECK (value > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE ledger_entries (
        id bigserial PRIMARY KEY,
        tx_id uuid NOT NULL REFERENCES ledger_tx (id),
        account_id varchar(80) NOT NULL,
        amount bigint NOT NULL CHECK (amount <> 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id)`);
    await q.query(`CREATE INDEX ledger_entries_tx_idx ON ledger_entries (tx_id)`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        scope varchar(16) NOT NULL,
        user_id varchar(64) NOT NULL,
        key varchar(128) NOT NULL,
        request text NOT NULL,
        result jsonb NULL,
        error_code varchar(32) NULL,
        error_message text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, user_id, key)
      )`);
    await q.query(`
      CREATE TABLE gift_outbox (
        tx_id uuid PRIMARY KEY REFERENCES ledger_tx (id),
        room_id varchar(64) NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        dispatched_at timestamptz NULL,
        seq bigint NULL,
        attempts int NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX gift_outbox_undispatched_idx ON gift_outbox (created_at) WHERE dispatched_at IS NULL`);
    await q.query(`INSERT INTO ledger_accounts (id, kind) VALUES ('platform:revenue', 'revenue'), ('platform:cashin', 'cashin')`);
    await q.query(`
      INSERT INTO gifts (id, name, price, position) VALUES
        ('heart', 'Heart', 1, 1),
        ('rose', 'Rose', 10, 2),
        ('rocket', 'Rocket', 100, 3),
        ('castle', 'Castle', 10000, 4)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['gift_outbox', 'idempotency_keys', 'ledger_entries', 'ledger_tx', 'wallets', 'ledger_accounts', 'gifts']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
