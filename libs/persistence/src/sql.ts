import type { DataSource, QueryRunner } from 'typeorm';

/** Rows of a statement, whatever its command (TypeORM shapes UPDATE/DELETE results differently otherwise). */
export async function rows<T>(q: QueryRunner, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await q.query(sql, params, true);
  return (result.records ?? []) as T[];
}

/** Runs `work` in one transaction on its own connection; rolls back on any throw. */
export async function inTransaction<T>(db: DataSource, work: (q: QueryRunner) => Promise<T>): Promise<T> {
  const q = db.createQueryRunner();
  await q.connect();
  try {
    await q.startTransaction();
    try {
      const result = await work(q);
      await q.commitTransaction();
      return result;
    } catch (error) {
      if (q.isTransactionActive) await q.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  } finally {
    await q.release();
  }
}

/** The SQLSTATE of a failed query (TypeORM wraps the pg error). */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.code ?? e.driverError?.code;
  return typeof code === 'string' ? code : undefined;
}

/** bigint columns arrive as strings. */
export function toInt(value: string | number | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}
