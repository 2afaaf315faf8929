import fc from 'fast-check';
import { buildTermFilter, normalize, type TermRule } from './index.js';

// Characters chosen to collide often: letters in several forms, CJK pairs, separators, astral.
const UNIT = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...'abcABCａｂｃ发財發财 .\u200b-😀𝐚e\u0301ﬁß'.match(/./gsu) as string[]) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const text = fc.string({ unit: UNIT, maxLength: 40 });
const term = fc.string({ unit: fc.constantFrom(...'abc发财ab'.split('')), minLength: 1, maxLength: 4 });
const rules = fc.array(
  fc.record({ term, action: fc.constantFrom<TermRule['action']>('block', 'mask') }),
  { minLength: 1, maxLength: 5 },
);
const SEPARATORS = [' ', '.', '-', '_', '*', '\u200b', '\u200c', '\u2060', '\ufeff', '😀', '，', '\u3000'];
const codePoints = (s: string): number => Array.from(s).length;

describe('TermFilter properties', () => {
  it('never changes unmatched text; masking keeps the code-point length', () => {
    fc.assert(
      fc.property(rules, text, (rs, t) => {
        const r = buildTermFilter(rs).check(t);
        if (!r.masked) expect(r.text).toBe(t);
        expect(codePoints(r.text)).toBe(codePoints(t));
        expect(r.blocked && r.masked).toBe(false);
        expect(r.blocked || r.masked).toBe(r.matches.length > 0);
      }),
      { numRuns: 500 },
    );
  });

  it('matches when the term appears in the normalized text', () => {
    fc.assert(
      fc.property(rules, text, (rs, t) => {
        const found = rs.some((r) => normalize(t).text.includes(normalize(r.term).text));
        const r = buildTermFilter(rs).check(t);
        expect(r.blocked || r.masked).toBe(found);
      }),
      { numRuns: 500 },
    );
  });

  it('still matches with separators inserted between the characters of a term', () => {
    const sep = fc.array(fc.constantFrom(...SEPARATORS), { maxLength: 3 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(term, fc.array(sep, { minLength: 4, maxLength: 4 }), text, text, (tm, seps, pre, post) => {
        const chars = Array.from(tm);
        const evaded = chars.map((c, k) => (k === 0 ? c : seps[k - 1] + c)).join('');
        const f = buildTermFilter([{ term: tm, action: 'mask' }]);
        const r = f.check(`${pre} ${evaded} ${post}`);
        expect(r.masked).toBe(true);
        // Every term character is masked; the separators are not.
        const at = codePoints(pre) + 1;
        expect(Array.from(r.text).slice(at, at + codePoints(evaded)).join('')).toBe(
          chars.map((_c, k) => (k === 0 ? '*' : seps[k - 1] + '*')).join(''),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('masks only characters inside a reported match', () => {
    fc.assert(
      fc.property(rules, text, (rs, t) => {
        const r = buildTermFilter(rs.map((x) => ({ ...x, action: 'mask' as const }))).check(t);
        const out = Array.from(r.text);
        let offset = 0; // UTF-16 offset of the k-th code point of t
        Array.from(t).forEach((c, k) => {
          if (out[k] !== c) {
            expect(out[k]).toBe('*');
            expect(r.matches.some((m) => m.start <= offset && offset < m.end)).toBe(true);
          }
          offset += c.length;
        });
      }),
      { numRuns: 500 },
    );
  });
});
