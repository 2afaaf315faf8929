import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import type { TermRuleInput, TermsList } from '#contracts';
import { inTransaction } from '#persistence';

export interface TermsChange {
  list: TermsList;
  added: string[];
  removed: string[];
  changed: string[];
}

interface Row {
  version: string;
  term: string | null;
  action: 'block' | 'mask' | null;
}

/** The term list in PostgreSQL and its version (a counter bumped by every replacement). */
@Injectable()
export class TermStore {
  constructor(private readonly db: DataSource) {}

  /** The list and its version, read in one statement (one snapshot). */
  async read(q?: QueryRunner): Promise<TermsList> {
    const rows = (await (q ?? this.db).query(
      `SELECT d.version::text AS version, t.term, t.action
         FROM moderation_dictionary d LEFT JOIN moderation_terms t ON true
        ORDER BY t.position`,
    )) as Row[];
    const terms = rows.filter((r) => r.term !== null && r.action !== null).map((r) => ({ term: r.term as string, action: r.action as 'block' | 'mask' }));
    return { version: rows[0]?.version ?? '0', terms };
  }

  /**
   * Replaces the whole list in one transaction and bumps the version. Concurrent replacements queue
   * on the version row. A term whose action is unchanged keeps its updated_at/updated_by.
   * `audit` runs inside the same transaction.
   */
  async replace(terms: TermRuleInput[], actorId: string, audit: (q: QueryRunner, change: TermsChange) => Promise<void>): Promise<TermsChange> {
    return inTransaction(this.db, async (q) => {
      await q.query(`SELECT version FROM moderation_dictionary WHERE id FOR UPDATE`);
      const before = new Map((await this.read(q)).terms.map((t) => [t.term, t.action]));
      const names = terms.map((t) => t.term);
      const kept = new Set(names);
      await q.query(`DELETE FROM moderation_terms WHERE NOT (term = ANY($1::varchar[]))`, [names]);
      await q.query(
        `INSERT INTO moderation_terms (term, action, position, updated_by)
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::int[], $4::varchar[])
         ON CONFLICT (term) DO UPDATE SET
           position = EXCLUDED.position,
           updated_at = CASE WHEN moderation_terms.action = EXCLUDED.action THEN moderation_terms.updated_at ELSE now() END,
           updated_by = CASE WHEN moderation_terms.action = EXCLUDED.action THEN moderation_terms.updated_by ELSE EXCLUDED.updated_by END,
           action = EXCLUDED.action`,
        [names, terms.map((t) => t.action), terms.map((_, i) => i), terms.map(() => actorId)],
      );
      await q.query(`UPDATE moderation_dictionary SET version = version + 1, updated_at = now(), updated_by = $1 WHERE id`, [actorId]);
      const list = await this.read(q);
      const change: TermsChange = {
        list,
        added: names.filter((n) => !before.has(n)),
        removed: [...before.keys()].filter((n) => !kept.has(n)),
        changed: terms.filter((t) => before.has(t.term) && before.get(t.term) !== t.action).map((t) => t.term),
      };
      await audit(q, change);
      return change;
    });
  }
}
