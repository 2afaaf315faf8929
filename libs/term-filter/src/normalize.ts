import { DROP, SLOW, foldCodePoint, foldTable, isMark } from './fold.js';

/** Maps UTF-16 code units (fast path) and code points (slow path) to output values. */
export interface CharMapper {
  /** Per code unit: value >= 0, DROP or SLOW. */
  readonly bmp: Int32Array;
  /** Values for one code point (slow path: expansions, astral, composed characters). */
  map(cp: number): readonly number[];
}

/**
 * Scratch output of {@link scan}: values[k] came from text.slice(starts[k], ends[k]).
 * Shared and overwritten by every scan (callers consume it synchronously).
 */
export const scratch = { values: new Int32Array(512), starts: new Int32Array(512), ends: new Int32Array(512) };

function grow(min: number): void {
  const size = Math.max(min, scratch.values.length * 2);
  for (const key of ['values', 'starts', 'ends'] as const) {
    const next = new Int32Array(size);
    next.set(scratch[key]);
    scratch[key] = next;
  }
}

function slowPush(text: string, cp: number, i: number, w: number, n: number, m: CharMapper): number {
  const { values: V, starts: S, ends: E } = scratch;
  // A combining mark right after a single-character output may compose with it (e + U+0301 -> é);
  // NFKC so that a compatibility base composes too (full-width Ｅ + U+0301 -> é).
  if (n > 0 && E[n - 1] === i && (n < 2 || S[n - 2] !== S[n - 1]) && isMark(cp)) {
    const composed = text.slice(S[n - 1], i + w).normalize('NFKC');
    const c = composed.codePointAt(0) as number;
    if (composed.length === (c > 0xffff ? 2 : 1)) {
      const r = m.map(c);
      if (r.length === 1) {
        V[n - 1] = r[0];
        E[n - 1] = i + w;
        return n;
      }
    }
  }
  const res = m.map(cp);
  if (n + res.length > V.length) grow(n + res.length + text.length);
  const { values, starts, ends } = scratch;
  for (const r of res) {
    values[n] = r;
    starts[n] = i;
    ends[n] = i + w;
    n++;
  }
  return n;
}

/** Normalizes `text` into {@link scratch}; returns the number of output values. */
export function scan(text: string, m: CharMapper): number {
  const len = text.length;
  if (scratch.values.length < len + 1) grow(len + 1);
  const bmp = m.bmp;
  let V = scratch.values;
  let S = scratch.starts;
  let E = scratch.ends;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const t = bmp[c];
    if (t >= 0) {
      V[n] = t;
      S[n] = i;
      E[n] = i + 1;
      n++;
    } else if (t === SLOW) {
      let cp = c;
      let w = 1;
      if (c <= 0xdbff && c >= 0xd800 && i + 1 < len) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          w = 2;
        }
      }
      n = slowPush(text, cp, i, w, n, m);
      i += w - 1;
      V = scratch.values; // slowPush may have grown the buffers
      S = scratch.starts;
      E = scratch.ends;
    } else if (t !== DROP) {
      throw new Error(`bad fold table value ${t}`);
    }
  }
  return n;
}

/** The normalized text and, for each of its code points, the original UTF-16 range it came from. */
export interface NormalizedText {
  readonly text: string;
  /** starts[k]/ends[k]: UTF-16 range in the original text of the k-th normalized code point. */
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

let codePointMapper: CharMapper | undefined;

function cpMapper(): CharMapper {
  return (codePointMapper ??= { bmp: foldTable(), map: foldCodePoint });
}

/**
 * Normalizes text the way terms are matched: NFKC, case folding, Traditional -> Simplified Chinese,
 * separators (whitespace, punctuation, symbols/emoji, zero-width and other format characters,
 * combining marks that do not compose) removed.
 */
export function normalize(text: string): NormalizedText {
  const n = scan(text, cpMapper());
  const { values, starts, ends } = scratch;
  const cps = Array.from(values.subarray(0, n));
  let out = '';
  for (let k = 0; k < n; k += 4096) out += String.fromCodePoint(...cps.slice(k, k + 4096));
  return { text: out, starts: Array.from(starts.subarray(0, n)), ends: Array.from(ends.subarray(0, n)) };
}

/** The normalized form of a term; '' means the term can never match and should be rejected. */
export function normalizeTerm(term: string): string {
  return normalize(term).text;
}

/** Builds the normalization tables now instead of on first use (about 0.2 s). */
export function warmUp(): void {
  cpMapper();
}
