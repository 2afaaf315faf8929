import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger is append-only in the database itself, not only by convention: a transfer is corrected
 * by a new transfer, never by editing one. UPDATE, DELETE and TRUNCATE of ledger_tx and ledger_entries
 * raise an error, whoever runs them (a buggy writer, a hand-typed fix). Wallet balances are a cache of
 * the entries and stay updatable; the ledger check compares the two.
 */
export class AppendOnlyLedger1768000000000 implements MigrationInterface {
  name = 'AppendOnlyLedger1768000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION gifting_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END
      $fn$`);
    for (const table of ['ledger_tx', 'ledger_entries']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION gifting_ledger_append_only()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION gifting_ledger_append_only()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['ledger_tx', 'ledger_entries']) {
      await q.query(`DROP TRIGGER ${table}_append_only ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
    }
    await q.query(`DROP FUNCTION gifting_ledger_append_only()`);
  }
}
