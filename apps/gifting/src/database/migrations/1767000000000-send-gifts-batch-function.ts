import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SendGiftFunction1766000000000 } from './1766000000000-send-gift-function.js';

/**
 * gifting_send_gifts: many gifts in one statement, so one round trip and one commit (one WAL flush)
 * for a whole batch; each gift still succeeds or fails on its own (INSUFFICIENT_FUNDS for one sender
 * does not touch the others). Replaces the one-gift gifting_send_gift.
 *
 * Arguments are parallel arrays, one element per gift; the caller sends each (user, key) at most once
 * per batch, sorted by (user, key). Returns one row per gift, `idx` (1-based) into the arrays, shaped
 * like an idempotency record: the stored record of an earlier request with that key (the caller
 * replays it, or answers IDEMPOTENCY_CONFLICT), or the record this call stored.
 *
 * 1. Per gift, in order: a key already stored is a replay (nothing written); otherwise the sender's
 *    wallet is debited conditionally (balance never below zero) or the gift refused.
 * 2. The new keys with their results, set-wise. A concurrent duplicate that committed meanwhile makes
 *    this insert fail with unique_violation on idempotency_keys_pkey: the whole statement rolls back
 *    (its debits too) and the caller runs the batch again, which then finds the key and replays it.
 * 3. New host accounts (the first gifts of a host), then the ledger rows of the debited gifts, set-wise.
 * Locks come in one global order (wallets by user, then keys by (user, key), then host accounts by id),
 * so concurrent batches cannot deadlock each other. Host and platform accounts are append-only
 * entries: a popular host is no hot row.
 */
export class SendGiftsBatchFunction1767000000000 implements MigrationInterface {
  name = 'SendGiftsBatchFunction1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION gifting_send_gifts(
        p_user_ids varchar[], p_keys varchar[], p_requests text[],
        p_room_ids varchar[], p_host_ids varchar[], p_gift_ids varchar[], p_counts int[],
        p_values bigint[], p_host_amounts bigint[], p_platform_amounts bigint[],
        p_tx_ids uuid[], p_events text[])
      RETURNS TABLE (idx int, request text, result jsonb, error_code varchar, error_message text)
      LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        n int := cardinality(p_user_ids);
        i int;
        v_user varchar;
        v_balance bigint;
        v_known idempotency_keys%ROWTYPE;
        v_requests text[] := p_requests;
        v_results jsonb[] := array_fill(NULL::jsonb, ARRAY[n]);
        v_codes varchar[] := array_fill(NULL::varchar, ARRAY[n]);
        v_messages text[] := array_fill(NULL::text, ARRAY[n]);
        v_new int[] := '{}';
        v_ok int[] := '{}';
      BEGIN
        FOR i IN 1..n LOOP
          IF p_values[i] <= 0 OR p_host_amounts[i] < 0 OR p_platform_amounts[i] < 0
             OR p_host_amounts[i] + p_platform_amounts[i] <> p_values[i] THEN
            RAISE EXCEPTION 'unbalanced transfer %: % <> % + %', p_tx_ids[i], p_values[i], p_host_amounts[i], p_platform_amounts[i];
          END IF;
        END LOOP;

        -- 1. Replays, debits and refusals, in (user, key) order.
        FOR i IN 1..n LOOP
          v_user := p_user_ids[i];
          SELECT * INTO v_known FROM idempotency_keys k WHERE k.scope = 'gift' AND k.user_id = v_user AND k.key = p_keys[i];
          IF FOUND THEN
            v_requests[i] := v_known.request;
            v_results[i] := v_known.result;
            v_codes[i] := v_known.error_code;
            v_messages[i] := v_known.error_message;
            CONTINUE;
          END IF;
          v_new := v_new || i;
          UPDATE wallets SET balance = balance - p_values[i], updated_at = now()
            WHERE user_id = v_user AND balance >= p_values[i]
            RETURNING balance INTO v_balance;
          IF FOUND THEN
            v_ok := v_ok || i;
            v_results[i] := jsonb_build_object('txId', p_tx_ids[i], 'balance', v_balance);
          ELSE
            v_codes[i] := 'INSUFFICIENT_FUNDS';
            v_messages[i] := 'this gift costs ' || p_values[i] || ' coins';
          END IF;
        END LOOP;

        -- 2. The new keys with their results (a concurrent duplicate fails the statement: see above).
        INSERT INTO idempotency_keys (scope, user_id, key, request, result, error_code, error_message)
          SELECT 'gift', p_user_ids[o], p_keys[o], p_requests[o], v_results[o], v_codes[o], v_messages[o]
          FROM unnest(v_new) AS o ORDER BY o;

        -- 3. The transfers of the debited gifts: ledger_tx, entries summing to zero, the outbox rows.
        IF cardinality(v_ok) > 0 THEN
          INSERT INTO ledger_accounts (id, kind, owner_id)
            SELECT h.id, 'host', h.owner_id
            FROM (SELECT DISTINCT 'host:' || p_host_ids[o] AS id, p_host_ids[o] AS owner_id FROM unnest(v_ok) AS o) AS h
            WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = h.id)
            ORDER BY h.id
            ON CONFLICT DO NOTHING;
          INSERT INTO ledger_tx (id, kind, user_id, room_id, host_id, gift_id, count, value)
            SELECT p_tx_ids[o], 'gift', p_user_ids[o], p_room_ids[o], p_host_ids[o], p_gift_ids[o], p_counts[o], p_values[o]
            FROM unnest(v_ok) AS o;
          INSERT INTO ledger_entries (tx_id, account_id, amount)
            SELECT p_tx_ids[o], e.account_id, e.amount
            FROM unnest(v_ok) AS o,
              LATERAL (VALUES ('wallet:' || p_user_ids[o], -p_values[o]),
                              ('host:' || p_host_ids[o], p_host_amounts[o]),
                              ('platform:revenue', p_platform_amounts[o])) AS e (account_id, amount)
            WHERE e.amount <> 0;
          INSERT INTO gift_outbox (tx_id, room_id, event)
            SELECT p_tx_ids[o], p_room_ids[o], p_events[o]::jsonb FROM unnest(v_ok) AS o;
        END IF;

        RETURN QUERY SELECT * FROM unnest(ARRAY(SELECT generate_series(1, n)), v_requests, v_results, v_codes, v_messages);
      END
      $fn$`);
    await q.query(
      `DROP FUNCTION IF EXISTS gifting_send_gift(varchar, varchar, text, varchar, varchar, varchar, int, bigint, bigint, bigint, uuid, text)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await new SendGiftFunction1766000000000().up(q);
    await q.query(
      `DROP FUNCTION IF EXISTS gifting_send_gifts(varchar[], varchar[], text[], varchar[], varchar[], varchar[], int[], bigint[], bigint[], bigint[], uuid[], text[])`,
    );
  }
}
