import { createServer } from 'node:net';
import { LiveroomClient } from './liveroom-client.js';
import { LiveroomRequestError } from './types.js';

/** A local port with nothing listening: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

it('rejects a request with UNAVAILABLE when no gateway is reachable, instead of waiting forever', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const client = new LiveroomClient({ urls: [url], ackTimeoutMs: 200 });
  try {
    const failure = await client.sendBarrage('r1', 'hello').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LiveroomRequestError);
    expect((failure as LiveroomRequestError).code).toBe('UNAVAILABLE');
  } finally {
    client.close();
  }
}, 20_000);

it('close() ends a connection attempt that is still retrying', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const client = new LiveroomClient({ urls: [url] });
  const attempt = client.connect();
  client.close();
  await expect(attempt).rejects.toThrow('client closed');
  expect(client.url).toBeNull();
});
