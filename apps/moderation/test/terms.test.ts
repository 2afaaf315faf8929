import { Redis } from 'ioredis';
import { MODERATION_PATTERNS, type TermsList } from '#contracts';
import { REDIS_URL } from '#testing';
import type { AuditRow } from '../src/audit/audit.service.js';
import { actor, codeOf, Moderation } from './harness.js';

const m = new Moderation();
const admin = actor('root', ['admin']);
let sub: Redis;

beforeAll(async () => {
  await m.start();
  sub = new Redis(REDIS_URL);
});

afterAll(async () => {
  sub?.disconnect();
  await m.stop();
});

const put = (who: ReturnType<typeof actor>, terms: unknown) => m.call<TermsList>(MODERATION_PATTERNS.termsPut, { actor: who, terms });
const get = (who: ReturnType<typeof actor>) => m.call<TermsList>(MODERATION_PATTERNS.termsGet, { actor: who });
const dictionary = () => m.call<TermsList>(MODERATION_PATTERNS.dictionary, {});

function nextAnnouncement(): Promise<string> {
  return new Promise((resolve) => {
    const channel = m.keys.moderationChanged();
    sub.once('message', (ch: string, message: string) => {
      if (ch === channel) resolve(message);
    });
  });
}

describe('terms', () => {
  it('starts empty, announced in Redis', async () => {
    const empty = await get(admin);
    expect(empty).toEqual({ terms: [], version: expect.any(String) });
    expect(await dictionary()).toEqual(empty);
    expect(await m.redis.get(m.keys.moderationVersion())).toBe(empty.version);
  });

  it('is for admins only', async () => {
    expect(await codeOf(get(actor('host')))).toBe('FORBIDDEN');
    expect(await codeOf(put(actor('host'), []))).toBe('FORBIDDEN');
    expect(await codeOf(put(admin, [{ term: 'x', action: 'nuke' }]))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(put(admin, [{ term: ' .. \u200b ', action: 'block' }]))).toBe('INVALID_ARGUMENT');
  });

  it('replaces the list, announces the new version, and serves it to the barrage service', async () => {
    const before = await get(admin);
    await sub.subscribe(m.keys.moderationChanged());
    const announced = nextAnnouncement();
    const list = await put(admin, [
      { term: 'badword', action: 'mask' },
      { term: 'darn', action: 'mask' },
      { term: 'ＢＡＤＷＯＲＤ', action: 'block' },
      { term: '发财', action: 'block' },
    ]);
    // ＢＡＤＷＯＲＤ is badword once normalized: one rule, the first spelling, the stricter action.
    expect(list.terms).toEqual([
      { term: 'badword', action: 'block' },
      { term: 'darn', action: 'mask' },
      { term: '发财', action: 'block' },
    ]);
    expect(list.version).not.toBe(before.version);
    expect(await announced).toBe(list.version);
    expect(await m.redis.get(m.keys.moderationVersion())).toBe(list.version);
    expect(await get(admin)).toEqual(list);
    expect(await dictionary()).toEqual(list);

    const second = await put(admin, [{ term: 'darn', action: 'block' }]);
    expect(second).toEqual({ terms: [{ term: 'darn', action: 'block' }], version: expect.any(String) });
    expect(second.version).not.toBe(list.version);
    expect(await dictionary()).toEqual(second);

    const rows = (await m.db.query(`SELECT * FROM moderation_audit WHERE room_id IS NULL ORDER BY id`)) as AuditRow[];
    expect(rows.map((r) => [r.action, r.actor_id])).toEqual([
      ['terms.put', 'root'],
      ['terms.put', 'root'],
    ]);
    expect(rows[1]!.details).toMatchObject({ version: second.version, count: 1, added: 0, removed: 2, changed: 1, changedTerms: ['darn'] });
  });

  it('serves a version committed by another replica (newer version announced in Redis)', async () => {
    // What another replica's PUT leaves behind: PostgreSQL changed, Redis announces the new version.
    await m.db.query(`INSERT INTO moderation_terms (term, action, position, updated_by) VALUES ('elsewhere', 'mask', 5, 'x')`);
    await m.db.query(`UPDATE moderation_dictionary SET version = version + 1`);
    const [{ version }] = (await m.db.query(`SELECT version::text AS version FROM moderation_dictionary`)) as [{ version: string }];
    await m.redis.set(m.keys.moderationVersion(), version);
    await new Promise((r) => setTimeout(r, 250)); // the reload throttle
    const served = await dictionary();
    expect(served.version).toBe(version);
    expect(served.terms).toContainEqual({ term: 'elsewhere', action: 'mask' });
  });

  it('reloads when another replica announces a version on the channel', async () => {
    await m.db.query(`INSERT INTO moderation_terms (term, action, position, updated_by) VALUES ('announced', 'block', 6, 'x')`);
    await m.db.query(`UPDATE moderation_dictionary SET version = version + 1`);
    const [{ version }] = (await m.db.query(`SELECT version::text AS version FROM moderation_dictionary`)) as [{ version: string }];
    // Only the announcement, not the version key: the subscriber alone must notice.
    await m.redis.publish(m.keys.moderationChanged(), version);
    const deadline = Date.now() + 2000;
    let served = await dictionary();
    while (served.version !== version && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      served = await dictionary();
    }
    expect(served.version).toBe(version);
    expect(served.terms).toContainEqual({ term: 'announced', action: 'block' });
  });
});
