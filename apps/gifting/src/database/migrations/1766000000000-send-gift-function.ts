import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * gifting_send_gift: a whole gift in one statement, so one round trip and one implicit transaction.
 *
 * Returns one row shaped like an idempotency record (request, result, error_code, error_message): either
 * the stored record of an earlier request with this key (the caller replays it, or answers
 * IDEMPOTENCY_CONFLICT when the request differs), or the record this call just stored.
 *
 * Order: look the key up (a retry writes nothing), debit the sender's wallet conditionally (row lock on
 * that wallet only), write the ledger_tx, the host account if missing (no write per gift once it
 * exists), the entries (zero amounts dropped, sum checked), the outbox row, and last the idempotency
 * record with its result. No NOTIFY here: notifying commits are serialized by PostgreSQL on one lock
 * held through the WAL flush; the caller wakes the relay after the commit (OutboxNotifier.committed). A concurrent duplicate that got past the lookup waits on the
 * unique index of idempotency_keys until the first commits and then fails with unique_violation
 * (23505, constraint idempotency_keys_pkey): the whole statement rolls back, nothing of it remains, and
 * the caller reads the stored record and replays it. INSUFFICIENT_FUNDS is stored and replayed too.
 */
export class SendGiftFunction1766000000000 implements MigrationInterface {
  name = 'SendGiftFunction1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION gifting_send_gift(
        p_user_id varchar, p_key varchar, p_request text,
        p_room_id varchar, p_host_id varchar, p_gift_id varchar, p_count int,
        p_value bigint, p_host_amount bigint, p_platform_amount bigint,
        p_tx_id uuid, p_event text,
        OUT request text, OUT result jsonb, OUT error_code varchar, OUT error_message text)
      LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        v_balance bigint;
        v_host_account varchar := 'host:' || p_host_id;
      BEGIN
        SELECT k.request, k.result, k.error_code, k.error_message INTO request, result, error_code, error_message
          FROM idempotency_keys k WHERE k.scope = 'gift' AND k.user_id = p_user_id AND k.key = p_key;
        IF FOUND THEN
          RETURN;
        END IF;

        IF p_value <= 0 OR p_host_amount < 0 OR p_platform_amount < 0 OR p_host_amount + p_platform_amount <> p_value THEN
          RAISE EXCEPTION 'unbalanced transfer %: % <> % + %', p_tx_id, p_value, p_host_amount, p_platform_amount;
        END IF;

        request := p_request;
        UPDATE wallets SET balance = balance - p_value, updated_at = now()
          WHERE user_id = p_user_id AND balance >= p_value
          RETURNING balance INTO v_balance;
        IF NOT FOUND THEN
          error_code := 'INSUFFICIENT_FUNDS';
          error_message := 'this gift costs ' || p_value || ' coins';
          INSERT INTO idempotency_keys (scope, user_id, key, request, error_code, error_message)
            VALUES ('gift', p_user_id, p_key, p_request, error_code, error_message);
          RETURN;
        END IF;

        INSERT INTO ledger_tx (id, kind, user_id, room_id, host_id, gift_id, count, value)
          VALUES (p_tx_id, 'gift', p_user_id, p_room_id, p_host_id, p_gift_id, p_count, p_value);
        INSERT INTO ledger_accounts (id, kind, owner_id)
          SELECT v_host_account, 'host', p_host_id
          WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = v_host_account)
          ON CONFLICT DO NOTHING;
        INSERT INTO ledger_entries (tx_id, account_id, amount)
          SELECT p_tx_id, e.account_id, e.amount
          FROM (VALUES ('wallet:' || p_user_id, -p_value), (v_host_account, p_host_amount), ('platform:revenue', p_platform_amount))
            AS e (account_id, amount)
          WHERE e.amount <> 0;
        INSERT INTO gift_outbox (tx_id, room_id, event) VALUES (p_tx_id, p_room_id, p_event::jsonb);

        result := jsonb_build_object('txId', p_tx_id, 'balance', v_balance);
        INSERT INTO idempotency_keys (scope, user_id, key, request, result)
          VALUES ('gift', p_user_id, p_key, p_request, result);
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP FUNCTION IF EXISTS gifting_send_gift(varchar, varchar, text, varchar, varchar, varchar, int, bigint, bigint, bigint, uuid, text)`,
    );
  }
}
