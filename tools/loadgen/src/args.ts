import { parseArgs } from 'node:util';

/** Node flags from a space-separated environment variable, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
export function nodeArgsFrom(variable: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[variable] ?? '').split(' ').filter(Boolean);
}

/** Node flags for the server processes the benchmarks start (BENCH_NODE_ARGS), e.g. to profile them under load. */
export function serverNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  return nodeArgsFrom('BENCH_NODE_ARGS', env);
}

export interface LoadgenOptions {
  urls: string[];
  viewers: number;
  senders: number;
  /** Total barrage messages per second across all senders. */
  rate: number;
  durationSec: number;
  warmupSec: number;
  drainSec: number;
  workers: number;
  serverPids: number[];
  label: string;
  jsonPath?: string;
  roomId?: string;
  batch: number;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  setupTimeoutSec: number;
  maxFailedViewers: number;
  anonymousViewers: boolean;
  jwtSecret: string;
}

export const USAGE = `usage: node dist/tools/loadgen/src/cli.js --urls http://127.0.0.1:3000[,http://...]
  --viewers N (1000)  --senders N (ceil(rate/4))  --rate msg/s (100)  --duration s (60)  --workers N (2)
  [--warmup s (5)] [--drain s (2)] [--server-pids 123,456] [--label name] [--json out.json] [--room <id>]
  [--batch 200] [--connect-timeout ms (10000)] [--ack-timeout ms (5000)] [--setup-timeout s (180)]
  [--max-failed-viewers N (0)] [--anonymous-viewers]
env: JWT_SECRET (default liveroom-dev-secret)`;

function num(v: string | undefined, def: number, name: string, min = 0): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${v}"`);
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): LoadgenOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      urls: { type: 'string' },
      viewers: { type: 'string' },
      senders: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      drain: { type: 'string' },
      workers: { type: 'string' },
      'server-pids': { type: 'string' },
      label: { type: 'string' },
      json: { type: 'string' },
      room: { type: 'string' },
      batch: { type: 'string' },
      'connect-timeout': { type: 'string' },
      'ack-timeout': { type: 'string' },
      'setup-timeout': { type: 'string' },
      'max-failed-viewers': { type: 'string' },
      'anonymous-viewers': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new Error(USAGE);
  const urls = (values.urls ?? 'http://127.0.0.1:3000')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const u of urls) {
    const p = new URL(u);
    // The loadgen's WebSocket client (lean-ws.ts) speaks plain ws:// only: it measures servers, not TLS.
    if (p.protocol !== 'http:') throw new Error(`--urls: not an http:// URL (the loadgen does no TLS): ${u}`);
  }
  const rate = num(values.rate, 100, 'rate', 0.1);
  const senders = Math.floor(num(values.senders, Math.ceil(rate / 4), 'senders', 1));
  const serverPids = (values['server-pids'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--server-pids: bad pid "${s}"`);
      return n;
    });
  return {
    urls,
    viewers: Math.floor(num(values.viewers, 1000, 'viewers', 0)),
    senders,
    rate,
    durationSec: num(values.duration, 60, 'duration', 1),
    warmupSec: num(values.warmup, 5, 'warmup', 0),
    drainSec: num(values.drain, 2, 'drain', 0),
    workers: Math.max(1, Math.floor(num(values.workers, 2, 'workers', 1))),
    serverPids,
    label: values.label ?? 'loadgen',
    jsonPath: values.json,
    roomId: values.room,
    batch: Math.max(1, Math.floor(num(values.batch, 200, 'batch', 1))),
    connectTimeoutMs: num(values['connect-timeout'], 10_000, 'connect-timeout', 100),
    ackTimeoutMs: num(values['ack-timeout'], 5_000, 'ack-timeout', 100),
    setupTimeoutSec: num(values['setup-timeout'], 180, 'setup-timeout', 1),
    maxFailedViewers: Math.floor(num(values['max-failed-viewers'], 0, 'max-failed-viewers', 0)),
    anonymousViewers: values['anonymous-viewers'] ?? false,
    jwtSecret: env.JWT_SECRET ?? 'liveroom-dev-secret',
  };
}

/** Round-robin: consecutive indexes alternate URLs first, then workers, so each worker mixes URLs. */
export function assign(count: number, urls: readonly string[], workers: number): Array<Array<{ index: number; url: string }>> {
  const out = Array.from({ length: workers }, () => [] as Array<{ index: number; url: string }>);
  for (let i = 0; i < count; i++) {
    out[Math.floor(i / urls.length) % workers].push({ index: i, url: urls[i % urls.length] });
  }
  return out;
}
