/**
 * Runs an app's main module with a full GC on the IPC message 'gc' (needs node --expose-gc), so memory
 * benchmarks read live memory instead of garbage the collector has not reached yet.
 *
 *   node --expose-gc dist/tools/loadgen/src/gc-host.js dist/apps/gateway/src/main.js
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
// An IPC message, not a signal: Nest's shutdown hooks take SIGUSR2 and friends.
process.on('message', (msg) => {
  if (msg === 'snapshot') {
    process.send?.(writeHeapSnapshot());
    return;
  }
  if (msg !== 'gc') return;
  gc();
  gc();
  process.send?.('gc-done');
});
const main = process.argv[2];
if (!main) throw new Error('usage: gc-host.js <main.js>');
await import(pathToFileURL(resolve(main)).href);
