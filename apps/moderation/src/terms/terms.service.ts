import { Injectable } from '@nestjs/common';
import { type Actor, LiveroomError, type TermRuleInput, type TermsList } from '#contracts';
import { normalizeTerm } from '#term-filter';
import { AuditService } from '../audit/audit.service.js';
import { Dictionary } from './dictionary.js';
import { TermStore } from './term-store.js';

/** Terms named in an audit row, at most this many per kind (the counts are always complete). */
const AUDIT_TERMS_MAX = 100;

/** The blocked/masked term list (PROTOCOL §7 `/v1/admin/moderation/terms`), admins only. */
@Injectable()
export class TermsService {
  constructor(
    private readonly store: TermStore,
    private readonly dictionary: Dictionary,
    private readonly audit: AuditService,
  ) {}

  async get(actor: Actor): Promise<TermsList> {
    requireAdmin(actor);
    return this.store.read();
  }

  async put(actor: Actor, terms: TermRuleInput[]): Promise<TermsList> {
    requireAdmin(actor);
    const rules = dedupe(terms);
    const change = await this.store.replace(rules, actor.userId, (q, c) =>
      this.audit.record(
        {
          roomId: null,
          actorId: actor.userId,
          action: 'terms.put',
          details: {
            version: c.list.version,
            count: c.list.terms.length,
            added: c.added.length,
            removed: c.removed.length,
            changed: c.changed.length,
            addedTerms: c.added.slice(0, AUDIT_TERMS_MAX),
            removedTerms: c.removed.slice(0, AUDIT_TERMS_MAX),
            changedTerms: c.changed.slice(0, AUDIT_TERMS_MAX),
          },
        },
        q,
      ),
    );
    await this.dictionary.publish(change.list);
    return change.list;
  }
}

function requireAdmin(actor: Actor): void {
  if (!actor.roles.includes('admin')) throw new LiveroomError('FORBIDDEN', 'only admins may manage moderation terms');
}

/**
 * One rule per normalized term (the filter matches normalized text, so `ＢＡＤ` and `bad` are the same
 * term): the first spelling is kept, and `block` wins over `mask`. A term that normalizes to nothing
 * (only separators, punctuation or zero-width characters) would match nothing: INVALID_ARGUMENT.
 */
export function dedupe(terms: TermRuleInput[]): TermRuleInput[] {
  const byNormal = new Map<string, TermRuleInput>();
  terms.forEach((rule, i) => {
    const normal = normalizeTerm(rule.term);
    if (normal.length === 0) throw new LiveroomError('INVALID_ARGUMENT', `terms.${i}.term: "${rule.term}" has no matchable characters`);
    const seen = byNormal.get(normal);
    if (!seen) byNormal.set(normal, { term: rule.term, action: rule.action });
    else if (rule.action === 'block') seen.action = 'block';
  });
  return [...byNormal.values()];
}
