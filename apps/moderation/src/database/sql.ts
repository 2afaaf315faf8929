import type { DataSource, QueryRunner } from 'typeorm';

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
