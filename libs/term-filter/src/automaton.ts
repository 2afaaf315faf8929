/**
 * Aho–Corasick automaton over integer symbols (1..alphabetSize; 0 never occurs in a term).
 * Root transitions are a dense array; the others live in one open-addressing hash table
 * keyed by (state, symbol), so lookups never allocate and the whole structure is typed arrays.
 */

export interface AutomatonTerm {
  readonly symbols: readonly number[];
  readonly block: boolean;
  /** Caller's index of the term, reported on match. */
  readonly id: number;
}

export interface Automaton {
  readonly rootNext: Int32Array;
  readonly hashState: Int32Array;
  readonly hashSymbol: Int32Array;
  readonly hashNext: Int32Array;
  readonly hashMask: number;
  readonly fail: Int32Array;
  /** First state with output on the suffix chain of a state (itself if terminal), or -1. */
  readonly firstOut: Int32Array;
  /** Next terminal state strictly along the failure chain, or -1. */
  readonly dictLink: Int32Array;
  readonly depth: Int32Array;
  readonly termId: Int32Array;
  readonly block: Uint8Array;
  readonly states: number;
}

export function hashSlot(state: number, symbol: number, mask: number): number {
  let h = Math.imul(state ^ Math.imul(symbol, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return h & mask;
}

/** Transition from a non-root state, or -1. */
export function lookup(a: Automaton, state: number, symbol: number): number {
  const { hashState, hashSymbol, hashNext, hashMask } = a;
  let h = hashSlot(state, symbol, hashMask);
  for (;;) {
    const k = hashState[h];
    if (k === state && hashSymbol[h] === symbol) return hashNext[h];
    if (k === -1) return -1;
    h = (h + 1) & hashMask;
  }
}

export function buildAutomaton(terms: readonly AutomatonTerm[], alphabetSize: number): Automaton {
  let total = 1;
  for (const t of terms) total += t.symbols.length;
  let cap = 16;
  while (cap < total * 2) cap *= 2;
  const a: Automaton = {
    rootNext: new Int32Array(alphabetSize + 1),
    hashState: new Int32Array(cap).fill(-1),
    hashSymbol: new Int32Array(cap),
    hashNext: new Int32Array(cap),
    hashMask: cap - 1,
    fail: new Int32Array(total),
    firstOut: new Int32Array(total).fill(-1),
    dictLink: new Int32Array(total).fill(-1),
    depth: new Int32Array(total),
    termId: new Int32Array(total).fill(-1),
    block: new Uint8Array(total),
    states: 1,
  };
  // Children lists for the breadth-first failure computation.
  const firstChild = new Int32Array(total).fill(-1);
  const nextSibling = new Int32Array(total).fill(-1);
  const edgeSymbol = new Int32Array(total);
  let states = 1;

  for (const t of terms) {
    let s = 0;
    for (const sym of t.symbols) {
      let next = s === 0 ? a.rootNext[sym] || -1 : lookup(a, s, sym);
      if (next < 0) {
        next = states++;
        a.depth[next] = a.depth[s] + 1;
        edgeSymbol[next] = sym;
        nextSibling[next] = firstChild[s];
        firstChild[s] = next;
        if (s === 0) a.rootNext[sym] = next;
        else {
          let h = hashSlot(s, sym, a.hashMask);
          while (a.hashState[h] !== -1) h = (h + 1) & a.hashMask;
          a.hashState[h] = s;
          a.hashSymbol[h] = sym;
          a.hashNext[h] = next;
        }
      }
      s = next;
    }
    if (s === 0) continue;
    if (a.termId[s] < 0) a.termId[s] = t.id; // duplicates: first term reported, block wins
    if (t.block) a.block[s] = 1;
  }

  const queue = new Int32Array(states);
  let head = 0;
  let tail = 0;
  for (let c = firstChild[0]; c >= 0; c = nextSibling[c]) queue[tail++] = c;
  while (head < tail) {
    const u = queue[head++];
    const f = a.fail[u];
    a.dictLink[u] = f !== 0 && a.termId[f] >= 0 ? f : a.dictLink[f];
    a.firstOut[u] = a.termId[u] >= 0 ? u : a.dictLink[u];
    for (let v = firstChild[u]; v >= 0; v = nextSibling[v]) {
      const sym = edgeSymbol[v];
      let g = f;
      let target = -1;
      for (;;) {
        target = g === 0 ? a.rootNext[sym] : lookup(a, g, sym);
        if (target > 0 || g === 0) break;
        g = a.fail[g];
      }
      a.fail[v] = target > 0 ? target : 0;
      queue[tail++] = v;
    }
  }
  return { ...a, states };
}
