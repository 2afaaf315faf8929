/**
 * Term filter benchmark (one core):
 *   npx tsc -p tsconfig.build.json && node dist/libs/term-filter/src/bench.js [seconds]
 * Builds a deterministic 10,000-term dictionary (Latin and CJK) and checks barrage-like messages.
 */
import { type TermRule, buildTermFilter, warmUp } from './index.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = rng(42);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

const SYLLABLES = 'ba be bi bo bu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu za ze zo gg wp lol xd'.split(' ');
const HAN = Array.from({ length: 3000 }, (_, k) => String.fromCodePoint(0x4e00 + ((k * 7919) % 20900)));
const EMOJI = ['😀', '😂', '🔥', '👍', '❤️', '🎉', '🙏', '💯', '😭', '🥰'];
const SEPS = [' ', ' ', ' ', ',', '!', '?', '~', '。', '，', '！', '.', '…', '\u200b'];

const latinWord = (): string => Array.from({ length: 1 + int(3) }, () => pick(SYLLABLES)).join('');
const hanWord = (len: number): string => Array.from({ length: len }, () => pick(HAN)).join('');

function dictionary(size: number): TermRule[] {
  const rules: TermRule[] = [];
  for (let k = 0; k < size; k++) {
    const term = k % 5 < 3 ? latinWord() + pick(SYLLABLES) + pick(SYLLABLES) + pick(SYLLABLES) : hanWord(2 + int(3));
    rules.push({ term, action: k % 4 === 0 ? 'block' : 'mask' });
  }
  return rules;
}

/** Evades a term: spaces/zero-width between characters, full-width, upper case. */
function evade(term: string): string {
  const chars = Array.from(term);
  switch (int(4)) {
    case 0: return chars.join(' ');
    case 1: return chars.join('\u200b');
    case 2: return term.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    default: return term.toUpperCase();
  }
}

function message(rules: readonly TermRule[]): string {
  const target = 20 + int(61);
  let s = '';
  while (s.length < target) {
    const r = rand();
    if (r < 0.45) s += latinWord();
    else if (r < 0.8) s += hanWord(1 + int(4));
    else if (r < 0.9) s += pick(EMOJI);
    else s += String(int(1000));
    s += pick(SEPS);
  }
  if (rand() < 0.03) s = s.slice(0, int(s.length)) + evade(pick(rules).term) + s.slice(int(s.length));
  return s.slice(0, 80);
}

function main(): void {
  const seconds = Number(process.argv[2] ?? 5);
  let t0 = performance.now();
  warmUp();
  const warmMs = performance.now() - t0;
  const rules = dictionary(10_000);
  t0 = performance.now();
  const filter = buildTermFilter(rules);
  const buildMs = performance.now() - t0;
  const corpus = Array.from({ length: 20_000 }, () => message(rules));
  const corpusChars = corpus.reduce((n, m) => n + m.length, 0);

  // Throughput: whole corpus passes until the time is up.
  let chars = 0;
  let messages = 0;
  let hits = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    for (const m of corpus) {
      const r = filter.check(m);
      if (r.blocked || r.masked) hits++;
    }
    chars += corpusChars;
    messages += corpus.length;
  }
  const elapsed = (performance.now() - start) / 1000;

  // Latency: per-message timing on a separate pass (timer overhead included).
  const samples = new Float64Array(corpus.length);
  for (let k = 0; k < corpus.length; k++) {
    const t = process.hrtime.bigint();
    filter.check(corpus[k]);
    samples[k] = Number(process.hrtime.bigint() - t) / 1000;
  }
  samples.sort();
  const q = (p: number): string => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))].toFixed(2);

  console.log(`normalization tables (once per process): ${warmMs.toFixed(0)} ms`);
  console.log(`build 10,000 terms: ${buildMs.toFixed(1)} ms (version ${filter.version})`);
  console.log(`corpus: ${corpus.length} messages, avg ${(corpusChars / corpus.length).toFixed(1)} UTF-16 chars`);
  console.log(`throughput: ${(chars / elapsed / 1e6).toFixed(2)} M chars/s, ${(messages / elapsed / 1e3).toFixed(0)} k msgs/s over ${elapsed.toFixed(1)} s`);
  console.log(`matched (masked or blocked): ${((100 * hits) / messages).toFixed(2)} % of messages`);
  console.log(`per-message check: p50 ${q(0.5)} µs, p99 ${q(0.99)} µs, max ${q(1 - 1e-9)} µs`);
}

main();
