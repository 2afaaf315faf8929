import { buildTermFilter, normalize, normalizeTerm, TermFilter } from './index.js';

const filter = buildTermFilter([
  { term: 'badword', action: 'mask' },
  { term: '发财', action: 'mask' },
  { term: 'kill3r', action: 'block' },
  { term: 'Ｈｅｌｌｏ Ｗｏｒｌｄ', action: 'mask' }, // terms are normalized too
  { term: '😀!!', action: 'mask' }, // empty after normalization: ignored
]);

describe('TermFilter evasions', () => {
  const matching: [string, string][] = [
    ['plain', 'badword'],
    ['mixed case', 'BadWord'],
    ['upper case', 'BADWORD'],
    ['full-width', 'ｂａｄｗｏｒｄ'],
    ['full-width upper', 'ＢＡＤＷＯＲＤ'],
    ['spaces', 'b a d w o r d'],
    ['punctuation', 'b.a.d-w_o*r d'],
    ['zero-width', 'b\u200bad\u200bword'],
    ['zero-width joiner/BOM/word joiner', 'b\u200dad\u2060wo\ufeffrd'],
    ['ideographic space', 'bad\u3000word'],
    ['emoji between', 'bad😀word'],
    ['mixed case and separators', 'B.a D-w\u200bO r D'],
    ['mathematical bold', '𝐛𝐚𝐝𝐰𝐨𝐫𝐝'],
    ['combining marks (zalgo)', 'b̸a̸d̸w̸o̸r̸d̸'],
    ['variation selectors', 'b\ufe0fadword'],
    ['inside a sentence', 'you are a badword!'],
    ['inside a longer word', 'superbadwords'],
    ['Simplified', '发财'],
    ['Traditional', '發財'],
    ['Chinese with space', '发 财'],
    ['Traditional with zero-width', '發\u200b財'],
    ['Chinese with full-width punctuation', '發，財！'],
    ['digit/letter term', 'KILL3R'],
    ['digit/letter full-width', 'ｋｉｌｌ３ｒ'],
    ['circled digit', 'kill③r'],
    ['normalized term', 'hello, world'],
  ];
  it.each(matching)('matches %s: %j', (_name, text) => {
    const r = filter.check(text);
    expect(r.blocked || r.masked).toBe(true);
  });

  const clean: [string, string][] = [
    ['prefix only', 'bad'],
    ['missing last letter', 'badwor'],
    ['interrupted by a letter', 'badxword'],
    ['interrupted by a digit', 'bad1word'],
    ['other script', 'бадворд'],
    ['one Chinese character', '发'],
    ['other Chinese', '发展财经'],
    ['digit differs', 'killer'],
    ['empty', ''],
    ['only separators', ' !?\u200b😀'],
  ];
  it.each(clean)('does not match %s: %j', (_name, text) => {
    expect(filter.check(text)).toEqual({ blocked: false, masked: false, text, matches: [] });
  });
});

describe('TermFilter results', () => {
  it('masks exactly the matched characters', () => {
    expect(filter.check('you BadWord!')).toMatchObject({ masked: true, blocked: false, text: 'you *******!' });
    expect(filter.check('ｂａｄｗｏｒｄ').text).toBe('*******');
    expect(filter.check('恭喜發財').text).toBe('恭喜**');
  });

  it('keeps separators inside a match and one * per code point', () => {
    expect(filter.check('b a d w o r d').text).toBe('* * * * * * *');
    expect(filter.check('b\u200bad\u200bword').text).toBe('*\u200b**\u200b****');
    expect(filter.check('😀bad😀word😀').text).toBe('😀***😀****😀');
    expect(filter.check('𝐛𝐚𝐝𝐰𝐨𝐫𝐝!').text).toBe('*******!');
  });

  it('masks a composed character once per original code point', () => {
    const r = filter.check('Badwórd'.normalize('NFD'));
    expect(r.masked).toBe(false); // ó is not o: accents are significant
    const f = buildTermFilter([{ term: 'café', action: 'mask' }]);
    expect(f.check('a CAFE\u0301!').text).toBe('a *****!');
    expect(f.check('a café!').text).toBe('a ****!');
  });

  it('masks overlapping and repeated matches', () => {
    const f = buildTermFilter([
      { term: 'abc', action: 'mask' },
      { term: 'cde', action: 'mask' },
      { term: 'b', action: 'mask' },
    ]);
    expect(f.check('xabcdex b').text).toBe('x*****x *');
    expect(f.check('abcabc').matches).toHaveLength(4);
  });

  it('reports matches with original ranges', () => {
    expect(filter.check('hi B a d word!').matches).toEqual([{ term: 'badword', action: 'mask', start: 3, end: 13 }]);
  });

  it('block wins over mask and leaves the text alone', () => {
    const r = filter.check('badword kill3r');
    expect(r).toMatchObject({ blocked: true, masked: false, text: 'badword kill3r' });
    expect(r.matches.map((m) => m.action).sort()).toEqual(['block', 'mask']);
  });

  it('block wins when the same term is configured twice', () => {
    const f = buildTermFilter([
      { term: 'Spam', action: 'mask' },
      { term: 'SPAM', action: 'block' },
    ]);
    expect(f.check('s p a m').blocked).toBe(true);
  });
});

describe('TermFilter building', () => {
  it('ignores terms that are empty after normalization', () => {
    expect(filter.size).toBe(4);
    expect(filter.ignored).toEqual([{ term: '😀!!', action: 'mask' }]);
    expect(normalizeTerm(' ...\u200b ')).toBe('');
  });

  it('rejects malformed rules', () => {
    expect(() => buildTermFilter([{ term: 'x', action: 'drop' as 'mask' }])).toThrow(TypeError);
  });

  it('is immutable and versioned', () => {
    expect(Object.isFrozen(filter)).toBe(true);
    const a = buildTermFilter([{ term: 'A', action: 'mask' }, { term: 'b', action: 'block' }]);
    const b = buildTermFilter([{ term: 'B', action: 'block' }, { term: 'ａ', action: 'mask' }]);
    expect(a.version).toBe(b.version);
    expect(buildTermFilter([{ term: 'a', action: 'block' }]).version).not.toBe(a.version);
    expect(buildTermFilter([], { version: 'v7' }).version).toBe('v7');
    expect(buildTermFilter([]).check('anything')).toMatchObject({ blocked: false, masked: false, text: 'anything' });
    expect(TermFilter.build([{ term: 'x', action: 'mask' }]).check('x').text).toBe('*');
  });

  it('builds 10,000 terms quickly', () => {
    normalize('warm up');
    const rules = Array.from({ length: 10_000 }, (_, k) => ({ term: `term${k.toString(36)}x`, action: 'mask' as const }));
    const t0 = performance.now();
    const f = buildTermFilter(rules);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(f.check('t e r m z z x').text).toBe('* * * * * * *');
  });
});

describe('normalize', () => {
  it('keeps the original range of every normalized character', () => {
    expect(normalize('A b\u200b😀ﬁ')).toEqual({ text: 'abfi', starts: [0, 2, 6, 6], ends: [1, 3, 7, 7] });
    expect(normalize('𝐀發')).toEqual({ text: 'a发', starts: [0, 2], ends: [2, 3] });
  });

  it('folds case beyond toLowerCase and keeps lone surrogates', () => {
    expect(normalize('STRASSE straße İı ΣΑΣ').text).toBe('strassestrasseiiσασ');
    expect(normalize('a\ud800b').text).toBe('a\ud800b');
  });

  it('is idempotent for every BMP code point', () => {
    const bad: string[] = [];
    for (let cp = 0; cp < 0x10000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const once = normalize(String.fromCharCode(cp)).text;
      if (normalize(once).text !== once) bad.push(cp.toString(16));
    }
    expect(bad).toEqual([]);
  });

  it('converts Traditional (generic, Taiwan, Hong Kong) to Simplified', () => {
    expect(normalize('發財 臺灣 裏面 麼 么').text).toBe('发财台湾里面么么');
    const f = buildTermFilter([{ term: '發財', action: 'mask' }]);
    expect(f.check('恭喜发 财').text).toBe('恭喜* *');
  });

  it('is idempotent', () => {
    for (const s of ['發財 ＡＢＣ ﬁ ß İ ①②', 'Ｚａｌｇｏ b̸a̸d̸', '臺灣 裏 乾隆', '😀 \u{2F800}\u{20000}']) {
      const once = normalize(s).text;
      expect(normalize(once).text).toBe(once);
    }
  });
});
