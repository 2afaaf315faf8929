/**
 * `npm start`: every app as its own process, logs prefixed by process name, Ctrl-C stops all.
 * GATEWAYS (default 1) gateway processes on GATEWAY_PORT, GATEWAY_PORT+1, ...;
 * BARRAGE_REPLICAS (default 1) barrage processes on BARRAGE_PORT, BARRAGE_PORT+1, ...;
 * one moderation (MODERATION_PORT), one gifting (GIFTING_PORT) and one cohost (COHOST_PORT) process.
 * The gateway creates the database if it is missing and applies migrations before it listens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const distRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const count = (name: string, fallback: number): number => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    process.stderr.write(`${name} must be a whole number from 1 to 64\n`);
    process.exit(78);
  }
  return n;
};

interface AppProcess {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
}

const gatewayPort = Number(process.env.GATEWAY_PORT ?? 3000);
const barragePort = Number(process.env.BARRAGE_PORT ?? 3011);
const apps: AppProcess[] = [
  { name: 'moderation', script: 'apps/moderation/src/main.js', env: {} },
  { name: 'gifting', script: 'apps/gifting/src/main.js', env: {} },
  { name: 'cohost', script: 'apps/cohost/src/main.js', env: {} },
  ...Array.from({ length: count('BARRAGE_REPLICAS', 1) }, (_, i) => ({
    name: `barrage-${i}`,
    script: 'apps/barrage/src/main.js',
    env: { BARRAGE_PORT: String(barragePort + i) },
  })),
  ...Array.from({ length: count('GATEWAYS', 1) }, (_, i) => ({
    name: `gateway-${i}`,
    script: 'apps/gateway/src/main.js',
    env: { GATEWAY_PORT: String(gatewayPort + i) },
  })),
];

const colors = [36, 35, 33, 32, 34, 31];
const children = new Map<string, ChildProcess>();
let stopping = false;

function prefixLines(name: string, color: number, stream: NodeJS.ReadableStream, out: NodeJS.WritableStream): void {
  const tag = process.stdout.isTTY ? `\x1b[${color}m[${name}]\x1b[0m` : `[${name}]`;
  createInterface({ input: stream }).on('line', (line) => out.write(`${tag} ${line}\n`));
}

function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`[start] stopping ${children.size} processes\n`);
  for (const child of children.values()) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 20_000); // gateways drain their clients first (GATEWAY_DRAIN_MS, 10 s by default)
  force.unref();
  const done = (): void => {
    if (children.size === 0) process.exit(code);
  };
  for (const [name, child] of children) child.once('exit', () => (children.delete(name), done()));
  done();
}

apps.forEach((app, i) => {
  const child = spawn(process.execPath, ['--enable-source-maps', join(distRoot, app.script)], {
    env: { ...process.env, ...app.env, ...(process.env.GATEWAY_ID ? { GATEWAY_ID: `${process.env.GATEWAY_ID}-${i}` } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(app.name, child);
  const color = colors[i % colors.length] as number;
  prefixLines(app.name, color, child.stdout as NodeJS.ReadableStream, process.stdout);
  prefixLines(app.name, color, child.stderr as NodeJS.ReadableStream, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(app.name);
    if (!stopping) {
      process.stderr.write(`[start] ${app.name} exited (${signal ?? code}); stopping the others\n`);
      stopAll(1);
    }
  });
});

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
