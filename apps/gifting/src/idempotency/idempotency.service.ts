import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { type ErrorCode, isErrorCode, LiveroomError } from '#contracts';
import { inTransaction, rows } from '#persistence';

export type IdempotencyScope = 'gift' | 'topup';

export interface IdempotentRequest {
  scope: IdempotencyScope;
  userId: string;
  key: string;
  /** Canonical text of the request's parameters: the same key with other parameters is a conflict. */
  request: string;
}

/** What the work inside the transaction decided. A business error must leave nothing written. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: LiveroomError };

/** Business errors that are part of the request's result: stored and replayed like a success. */
const STORED_ERRORS: ReadonlySet<ErrorCode> = new Set(['INSUFFICIENT_FUNDS']);

/** An idempotency record as stored (also the shape gifting_send_gift returns). */
export interface StoredRow {
  request: string;
  result: unknown;
  error_code: string | null;
  error_message: string | null;
}

/**
 * Idempotency per (scope, userId, key). The key row is inserted first in the request's own
 * transaction (ON CONFLICT DO NOTHING), so a concurrent duplicate waits on the unique index until the
 * first commits, then finds it and replays it; the first result is stored in that same transaction.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly db: DataSource) {}

  async run<T>(req: IdempotentRequest, work: (q: QueryRunner) => Promise<Outcome<T>>): Promise<T> {
    // Fast path for retries: no transaction, no lock.
    const known = await this.find(this.db.createQueryRunner(), req, true);
    if (known) return replay<T>(req, known);
    const outcome = await inTransaction(this.db, async (q): Promise<Outcome<T> | { replay: StoredRow }> => {
      const claimed = await rows(
        q,
        `INSERT INTO idempotency_keys (scope, user_id, key, request) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING 1 AS claimed`,
        [req.scope, req.userId, req.key, req.request],
      );
      if (claimed.length === 0) {
        // A duplicate committed first (we waited for it): its stored result is visible now.
        const row = await this.find(q, req, false);
        if (!row) throw new LiveroomError('UNAVAILABLE', 'idempotency record vanished; retry');
        return { replay: row };
      }
      const result = await work(q);
      if (!result.ok && !STORED_ERRORS.has(result.error.code)) throw result.error;
      await q.query(
        `UPDATE idempotency_keys SET result = $4, error_code = $5, error_message = $6 WHERE scope = $1 AND user_id = $2 AND key = $3`,
        [
          req.scope,
          req.userId,
          req.key,
          result.ok ? JSON.stringify(result.value) : null,
          result.ok ? null : result.error.code,
          result.ok ? null : result.error.message,
        ],
      );
      return result;
    });
    if ('replay' in outcome) return replay<T>(req, outcome.replay);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  private async find(q: QueryRunner, req: IdempotentRequest, release: boolean): Promise<StoredRow | undefined> {
    try {
      const found = await rows<StoredRow>(
        q,
        `SELECT request, result, error_code, error_message FROM idempotency_keys WHERE scope = $1 AND user_id = $2 AND key = $3`,
        [req.scope, req.userId, req.key],
      );
      return found[0];
    } finally {
      if (release) await q.release();
    }
  }
}

/** The stored answer for `req`: its result, its stored error, or IDEMPOTENCY_CONFLICT when the request differs. */
export function replay<T>(req: IdempotentRequest, row: StoredRow): T {
  if (row.request !== req.request) {
    throw new LiveroomError('IDEMPOTENCY_CONFLICT', 'this idempotencyKey was used with different parameters');
  }
  if (row.error_code !== null) {
    throw new LiveroomError(isErrorCode(row.error_code) ? row.error_code : 'INTERNAL', row.error_message ?? row.error_code);
  }
  return row.result as T;
}
