/** LeanWebSocket against a real `ws` server (the library Socket.IO's engine uses), and a scripted one. */
import { createHash } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { LeanWebSocket } from './lean-ws.js';

interface Client {
  ws: LeanWebSocket;
  opened: Promise<void>;
  closed: Promise<string>;
  received: string[];
  binaries: number;
  next(): Promise<string>;
}

function open(url: string): Client {
  const received: string[] = [];
  const waiters: ((s: string) => void)[] = [];
  let onOpen!: () => void;
  let onClose!: (reason: string) => void;
  const opened = new Promise<void>((r) => (onOpen = r));
  const closed = new Promise<string>((r) => (onClose = r));
  const client = { binaries: 0 };
  const ws = new LeanWebSocket(url, {
    open: () => onOpen(),
    binary: () => client.binaries++,
    message: (buf, start, end) => {
      const s = buf.toString('utf8', start, end);
      const w = waiters.shift();
      if (w) w(s);
      else received.push(s);
    },
    close: (reason) => onClose(reason),
  });
  const next = (): Promise<string> => {
    const s = received.shift();
    return s !== undefined ? Promise.resolve(s) : new Promise((r) => waiters.push(r));
  };
  return Object.assign(client, { ws, opened, closed, received, next });
}

describe('LeanWebSocket against ws', () => {
  let http: HttpServer;
  let wss: WebSocketServer;
  let url: string;
  const serverSockets: WebSocket[] = [];

  beforeAll(async () => {
    http = createServer((_req, res) => res.writeHead(400).end('no'));
    wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    http.on('upgrade', (req, socket, head) => {
      if (req.url?.startsWith('/refuse')) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        serverSockets.push(ws);
        // Echo, so what the client sent is checked by a real server's reader (masking included).
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/socket.io/?EIO=4&transport=websocket`;
  });

  afterAll(async () => {
    for (const s of serverSockets) s.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await new Promise<void>((r) => http.close(() => r()));
  });

  it('upgrades, sends masked frames of every length class and reads the echoes', async () => {
    const c = open(url);
    await c.opened;
    expect(c.ws.open).toBe(true);
    const messages = ['hi', 'ü'.repeat(100), 'a'.repeat(65_535), 'b'.repeat(200_000)];
    for (const m of messages) c.ws.send(m);
    for (const m of messages) expect(await c.next()).toBe(m);
    c.ws.terminate();
    expect(await c.closed).toBe('terminated');
  });

  it('answers a ping with a pong carrying its payload, and counts binary messages', async () => {
    const c = open(url);
    await c.opened;
    const server = serverSockets[serverSockets.length - 1] as WebSocket;
    const pong = new Promise<string>((r) => server.once('pong', (data) => r(data.toString())));
    server.ping('are you there');
    expect(await pong).toBe('are you there');
    // A binary message is counted, not handed over as text; the text after it still is.
    server.send(Buffer.from([1, 2, 3]), { binary: true });
    server.send('after');
    expect(await c.next()).toBe('after');
    expect(c.binaries).toBe(1);
    c.ws.terminate();
  });

  it('reports a close from the server with its code', async () => {
    const c = open(url);
    await c.opened;
    const server = serverSockets[serverSockets.length - 1] as WebSocket;
    const serverClosed = new Promise<number>((r) => server.once('close', (code) => r(code)));
    server.close(4001, 'bye');
    expect(await c.closed).toBe('closed by the server (4001)');
    expect(await serverClosed).toBe(4001);
  });

  it('reads frames that come in the same read as the 101, and nothing after terminate()', async () => {
    // A scripted server: the 101 and three frames in one write; a wrong accept key on the second socket.
    let socketsSeen = 0;
    const raw = createTcpServer((socket) => {
      const wrongKey = socketsSeen++ > 0;
      socket.once('data', (request) => {
        const key = /Sec-WebSocket-Key: (\S+)/i.exec(request.toString())?.[1] ?? '';
        const accept = createHash('sha1').update(`${wrongKey ? 'x' : key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        const frames = ['a', 'b', 'c'].map((t) => Buffer.from([0x81, 1, t.charCodeAt(0)]));
        socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`), ...frames]));
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const rawUrl = `ws://127.0.0.1:${(raw.address() as AddressInfo).port}/`;
    try {
      const seen: string[] = [];
      let onClose!: (reason: string) => void;
      const closed = new Promise<string>((r) => (onClose = r));
      const ws: LeanWebSocket = new LeanWebSocket(rawUrl, {
        open: () => undefined,
        message: (buf, start, end) => {
          seen.push(buf.toString('utf8', start, end));
          ws.terminate();
        },
        close: (reason) => onClose(reason),
      });
      expect(await closed).toBe('terminated');
      expect(seen).toEqual(['a']);

      const bad = open(rawUrl);
      expect(await bad.closed).toBe('protocol error: bad Sec-WebSocket-Accept');
      expect(bad.received).toEqual([]);
    } finally {
      await new Promise<void>((r) => raw.close(() => r()));
    }
  });

  it('reports a refused upgrade', async () => {
    const c = open(url.replace('/socket.io/', '/refuse'));
    expect(await c.closed).toMatch(/upgrade refused: HTTP\/1\.1 403/);
    expect(c.ws.open).toBe(false);
  });
});
