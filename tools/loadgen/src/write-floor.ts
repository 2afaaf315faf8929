/**
 * The kernel's price of one small write to one loopback TCP socket on this machine: the floor under
 * any fan-out that sends each socket its own bytes. N connections, each written SIZE bytes HZ times a
 * second for 10 s, from a plain net server (no WebSocket, no Socket.IO).
 *
 *   node dist/tools/loadgen/src/write-floor.js [connections=1000] [hz=20] [bytes=1000]
 */
import { fork } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const [n = 1000, hz = 20, size = 1000] = process.argv.slice(2, 5).map(Number);
const PORT = 4999;

if (process.argv[5] === 'client') {
  for (let i = 0; i < n; i++) connect(PORT, '127.0.0.1').on('data', () => undefined);
} else {
  const conns: Socket[] = [];
  const server = createServer((s) => {
    s.setNoDelay(true);
    conns.push(s);
  });
  server.listen(PORT, '127.0.0.1', () => {
    const client = fork(fileURLToPath(import.meta.url), [String(n), String(hz), String(size), 'client']);
    const payload = Buffer.alloc(size, 97);
    setTimeout(() => {
      const before = process.cpuUsage();
      const started = Date.now();
      const timer = setInterval(() => conns.forEach((s) => s.write(payload)), 1000 / hz);
      setTimeout(() => {
        clearInterval(timer);
        const used = process.cpuUsage(before);
        const secs = (Date.now() - started) / 1000;
        const writes = conns.length * hz * secs;
        const us = (v: number) => (v / writes).toFixed(1);
        process.stdout.write(
          `${conns.length} connections, ${Math.round(writes / secs)} writes/s of ${size} B: ` +
            `${us(used.user + used.system)} µs CPU per write (user ${us(used.user)}, system ${us(used.system)})\n`,
        );
        client.kill();
        process.exit(0);
      }, 10_000);
    }, 2000);
  });
}
