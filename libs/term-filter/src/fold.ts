import * as OpenCC from 'opencc-js';

/**
 * Per-code-point folding: NFKC, case fold, Traditional -> Simplified Chinese, separators dropped.
 * Built once, lazily (about 0.2 s, mostly opencc), into a BMP table so the hot path never calls
 * String.prototype.normalize or opencc.
 */

/** Table value: the code point produces no normalized character (separator, mark, ...). */
export const DROP = -1;
/** Table value: take the slow path (expansion to several characters, surrogate, combining mark). */
export const SLOW = -2;

// Separators are dropped wherever they appear: spaces, punctuation, symbols (emoji included),
// controls, format characters (zero-width, bidi), and the Hangul fillers abused as blanks.
const SEPARATOR = /^[\s\p{P}\p{S}\p{Z}\p{Cc}\p{Cf}\u115f\u1160\u3164\uffa0]$/u;
const MARK = /^[\p{Mn}\p{Me}]$/u;

let t2s: Map<number, number> | undefined;
let table: Int32Array | undefined;
const expansions = new Map<number, readonly number[]>();
const astralCache = new Map<number, readonly number[]>();
const ASTRAL_CACHE_MAX = 65536;
let converters: ((s: string) => string)[] = [];

const isSurrogate = (cp: number): boolean => cp >= 0xd800 && cp <= 0xdfff;
export const isMark = (cp: number): boolean => !isSurrogate(cp) && MARK.test(String.fromCodePoint(cp));

function buildT2s(): Map<number, number> {
  // 't' is the generic Traditional set; 'hk' and 'tw' add regional variants. A regional mapping is
  // only used when 't' keeps the character and the character is not itself a Simplified target
  // (tw maps 么 -> 幺, which would merge two distinct Simplified characters).
  converters = (['t', 'hk', 'tw'] as const).map((from) => OpenCC.Converter({ from, to: 'cn' }));
  const src: string[] = [];
  for (let cp = 0x3400; cp <= 0x9fff; cp++) src.push(String.fromCodePoint(cp));
  const outs = converters.map((conv) => conv(src.join('\n')).split('\n'));
  const map = new Map<number, number>();
  const targets = new Set<number>();
  const single = (s: string | undefined): number => (s !== undefined && s.length === 1 ? s.charCodeAt(0) : -1);
  for (let k = 0; k < src.length; k++) {
    const to = single(outs[0][k]);
    if (to >= 0 && to !== 0x3400 + k) { map.set(0x3400 + k, to); targets.add(to); }
  }
  for (let k = 0; k < src.length; k++) {
    const from = 0x3400 + k;
    if (map.has(from) || targets.has(from)) continue;
    for (let c = 1; c < outs.length; c++) {
      const to = single(outs[c][k]);
      if (to >= 0 && to !== from) { map.set(from, to); break; }
    }
  }
  // Resolve chains so the mapping is idempotent.
  for (const [from, to] of map) {
    let end = to;
    for (let hop = 0; hop < 4 && map.has(end) && map.get(end) !== end; hop++) end = map.get(end) as number;
    map.set(from, end);
  }
  return map;
}

function astralT2s(cp: number): number {
  for (const conv of converters) {
    const out = conv(String.fromCodePoint(cp));
    const to = out.codePointAt(0) as number;
    if (out.length === (to > 0xffff ? 2 : 1) && to !== cp) return to;
  }
  return cp;
}

/** One folding round for one code point. */
function foldOnce(cp: number, map: Map<number, number>): number[] {
  const out: number[] = [];
  const s = String.fromCodePoint(cp).normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
  for (const ch of s) {
    if (SEPARATOR.test(ch) || MARK.test(ch)) continue;
    const c = ch.codePointAt(0) as number;
    out.push(map.get(c) ?? (c > 0xffff && c >= 0x20000 && c <= 0x323af ? astralT2s(c) : c));
  }
  return out;
}

function foldFull(cp: number, map: Map<number, number>): number[] {
  let cur = [cp];
  // Re-fold until stable so that normalize(normalize(x)) === normalize(x).
  for (let round = 0; round < 4; round++) {
    const next = cur.flatMap((c) => foldOnce(c, map));
    if (next.length === cur.length && next.every((c, k) => c === cur[k])) break;
    cur = next;
  }
  return cur;
}

function ensureTable(): Int32Array {
  if (table) return table;
  const map = (t2s = buildT2s());
  const t = new Int32Array(0x10000);
  for (let cp = 0; cp < 0x10000; cp++) {
    if (isSurrogate(cp)) { t[cp] = cp <= 0xdbff ? SLOW : cp; continue; }
    const res = foldFull(cp, map);
    if (MARK.test(String.fromCharCode(cp))) t[cp] = SLOW; // may compose with the previous character
    else if (res.length === 0) t[cp] = DROP;
    else if (res.length === 1) t[cp] = res[0];
    else { t[cp] = SLOW; expansions.set(cp, res); }
  }
  table = t;
  return t;
}

/** BMP table: normalized code point, DROP or SLOW for each UTF-16 code unit. */
export function foldTable(): Int32Array {
  return ensureTable();
}

const EMPTY: readonly number[] = [];

/** Full folding of any code point (possibly to zero or several code points). */
export function foldCodePoint(cp: number): readonly number[] {
  const t = ensureTable();
  if (cp < 0x10000) {
    const v = t[cp];
    if (v >= 0) return [v];
    if (v === DROP || isMark(cp)) return EMPTY;
    return expansions.get(cp) ?? [cp]; // lone high surrogate stays as is
  }
  let res = astralCache.get(cp);
  if (res === undefined) {
    res = foldFull(cp, t2s as Map<number, number>);
    if (astralCache.size >= ASTRAL_CACHE_MAX) astralCache.clear(); // bound memory against hostile input
    astralCache.set(cp, res);
  }
  return res;
}
