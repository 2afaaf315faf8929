import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { dropUpgradeErrorListener, dropUpgradeResponse } from './redis-io.adapter.js';

/** What engine.io's WebSocketResponse constructor does to an upgraded TCP socket (engine.io build/server.js). */
const ENGINE_SOURCE = 'socket.once("close", () => this.emit("close"));';

it('matches the listener engine.io adds (an engine.io upgrade must keep dropUpgradeResponse in sync)', () => {
  const engineMain = createRequire(import.meta.url).resolve('engine.io');
  expect(readFileSync(join(dirname(engineMain), 'server.js'), 'utf8')).toContain(ENGINE_SOURCE);
});

it("removes only engine.io's upgrade-response listener from the TCP socket", () => {
  const socket = new EventEmitter();
  const response = new EventEmitter();
  // Compiled from engine.io's own source text, bound to the response as in its constructor.
  new Function('socket', ENGINE_SOURCE).call(response, socket);
  const wsListener = (): void => undefined;
  socket.on('close', wsListener);
  let responseClosed = false;
  response.on('close', () => (responseClosed = true));

  dropUpgradeResponse({ headers: {}, rawHeaders: [], socket });
  expect(socket.listeners('close')).toEqual([wsListener]);
  socket.emit('close');
  expect(responseClosed).toBe(false);
});

it("matches the listener engine.io leaves on a websocket that connected directly (keep dropUpgradeErrorListener in sync)", () => {
  const engineMain = createRequire(import.meta.url).resolve('engine.io');
  const source = readFileSync(join(dirname(engineMain), 'server.js'), 'utf8');
  expect(source).toContain('websocket.on("error", onUpgradeError);');
  expect(source).toContain('function onUpgradeError()');
});

it("removes only engine.io's onUpgradeError listener from the websocket", () => {
  const ws = new EventEmitter();
  function onUpgradeError(): void {}
  const transportOnError = (): void => undefined;
  ws.on('error', onUpgradeError);
  ws.on('error', transportOnError);
  dropUpgradeErrorListener(ws);
  expect(ws.listeners('error')).toEqual([transportOnError]);
  dropUpgradeErrorListener(undefined);
});
