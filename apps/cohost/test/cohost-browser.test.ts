import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { connect, createRoom, type ReceivedEvent, TestSystem, tokenFor, withDiagnostics } from '#testing';

/**
 * Co-hosting in real browsers (PROTOCOL §5): the demo page apps/gateway/public/cohost.html (served at
 * /demo/) runs in two headless Chromium pages, the host's on gateway 0 and the guest's on gateway 1.
 * The host invites, the guest accepts, and the WebRTC call (offer, answer, ICE) is signaled with
 * cohost:signal across the two gateway processes; Chromium's fake camera video then flows both ways.
 */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HOST = 'demo-host';
const GUEST = 'demo-guest';

/** What cohost.js exposes on `window.cohostDemo`. */
interface DemoSession {
  id: string;
  roomId: string;
  hostId: string;
  guestId: string;
  initiator: string;
  state: string;
  endReason?: string;
}
interface DemoHooks {
  state: string;
  session: DemoSession | null;
  pcState: string;
  remoteFrames(): Promise<number>;
  log: string[];
}
/** The page's global object as seen from functions evaluated in the page (no DOM lib here). */
interface DemoGlobal {
  cohostDemo?: DemoHooks;
  /** Last remoteFrames() result, sampled by framesAbove(). */
  lastRemoteFrames?: number;
}

const system = new TestSystem({ gateways: 2, cohost: true });
let browser: Browser | undefined;
let observer: Socket | undefined;
const pages: { name: string; page: Page; errors: string[] }[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: the co-host browser test needs it (apt-get install chromium, or set CHROMIUM_PATH)`);
  }
  await system.start();
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      // Otherwise host candidates are .local mDNS names, which do not resolve here.
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
  });
}, 60_000);

afterAll(async () => {
  observer?.disconnect();
  await browser?.close();
  await system.stop();
}, 30_000);

/** Opens the demo page in its own browser context (own camera permission, own storage). */
async function openDemo(name: string, gatewayUrl: string, query: Record<string, string>): Promise<Page> {
  const context = await browser!.newContext({ permissions: ['camera'] });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  pages.push({ name, page, errors });
  await page.goto(`${gatewayUrl}/demo/cohost.html?${new URLSearchParams(query).toString()}`);
  return page;
}

function waitState(page: Page, state: string): Promise<unknown> {
  return page.waitForFunction((s) => (globalThis as unknown as DemoGlobal).cohostDemo?.state === s, state);
}

function waitPcState(page: Page, state: string): Promise<unknown> {
  return page.waitForFunction((s) => (globalThis as unknown as DemoGlobal).cohostDemo?.pcState === s, state);
}

/**
 * Resolves with the page's count of decoded remote video frames once it exceeds `min`. The predicate of
 * waitForFunction must be synchronous, so each poll starts a remoteFrames() and reads the previous result.
 */
async function framesAbove(page: Page, min: number): Promise<number> {
  const handle = await page.waitForFunction(
    (n) => {
      const g = globalThis as unknown as DemoGlobal;
      void g.cohostDemo?.remoteFrames().then((frames) => (g.lastRemoteFrames = frames));
      const frames = g.lastRemoteFrames ?? 0;
      return frames > n ? frames : false;
    },
    min,
    { polling: 100 },
  );
  return (await handle.jsonValue()) as number;
}

function session(page: Page): Promise<DemoSession | null> {
  return page.evaluate(() => (globalThis as unknown as DemoGlobal).cohostDemo?.session ?? null);
}

/**
 * The first room event of `roomId` on `socket` that matches. Listen before the action that causes it; a
 * promise the test never gets to await (it failed earlier) does not turn into an unhandled rejection.
 */
function roomEvent(socket: Socket, roomId: string, match: (event: ReceivedEvent) => boolean, timeoutMs = 20_000): Promise<ReceivedEvent> {
  const received = new Promise<ReceivedEvent>((resolve, reject) => {
    const onFrame = (frame: { roomId: string; events: ReceivedEvent[] }) => {
      const event = frame.roomId === roomId ? frame.events.find(match) : undefined;
      if (!event) return;
      clearTimeout(timer);
      socket.off('room:events', onFrame);
      resolve(event);
    };
    const timer = setTimeout(() => {
      socket.off('room:events', onFrame);
      reject(new Error(`no matching room event in ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    socket.on('room:events', onFrame);
  });
  received.catch(() => undefined);
  return received;
}

/** The pages' own logs and errors and the backend's recent output, for a failure message. */
async function diagnostics(): Promise<string> {
  const parts: string[] = [];
  for (const { name, page, errors } of pages) {
    const log = await page.evaluate(() => (globalThis as unknown as DemoGlobal).cohostDemo?.log ?? ['(no cohostDemo)']).catch((e: unknown) => [`(page gone: ${String(e)})`]);
    parts.push(`--- ${name} page log\n${[...log, ...errors].join('\n')}`);
  }
  for (const app of system.apps) {
    if (app.name.startsWith('cohost') || app.name.startsWith('gateway')) parts.push(`--- ${app.name} output\n${app.output.join('').slice(-3000)}`);
  }
  return parts.join('\n');
}

describe('co-host demo page in two browsers (§5)', () => {
  it('invites, accepts, connects a WebRTC call signaled across gateways, and ends', async () => {
    await withDiagnostics(async () => {
      const [gw0, gw1] = system.gateways;
      const hostToken = await tokenFor(HOST, { name: 'Host' });
      const guestToken = await tokenFor(GUEST, { name: 'Guest' });
      const room = await createRoom(gw0!.url, hostToken, 'co-host browser test');

      // An anonymous viewer watches the room's event stream.
      observer = await connect(gw1!.url);
      const joined = roomEvent(observer, room.id, (e) => e.type === 'cohost' && e.action === 'joined');
      expect(await observer.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: true });

      const host = await openDemo('host', gw0!.url, { token: hostToken, room: room.id, role: 'host', guest: GUEST });
      const guest = await openDemo('guest', gw1!.url, { token: guestToken, room: room.id, role: 'guest' });
      await Promise.all([waitState(host, 'joined'), waitState(guest, 'joined')]);

      await host.getByRole('button', { name: 'Invite' }).click();
      await guest.getByRole('button', { name: 'Accept' }).click();
      await Promise.all([waitState(host, 'active'), waitState(guest, 'active')]);

      const hostSession = await session(host);
      expect(hostSession).toMatchObject({ roomId: room.id, hostId: HOST, guestId: GUEST, initiator: 'host', state: 'active' });
      expect(await session(guest)).toMatchObject({ id: hostSession!.id, state: 'active' });
      expect(await joined).toMatchObject({ type: 'cohost', action: 'joined', userId: GUEST, seats: expect.arrayContaining([GUEST]) });

      // Offer, answer and ICE went through cohost:signal; the media goes peer to peer.
      await Promise.all([waitPcState(host, 'connected'), waitPcState(guest, 'connected')]);
      // Each side decodes the other's camera, and keeps decoding.
      const [guestFrames, hostFrames] = await Promise.all([framesAbove(guest, 0), framesAbove(host, 0)]);
      await Promise.all([framesAbove(guest, guestFrames), framesAbove(host, hostFrames)]);

      const left = roomEvent(observer, room.id, (e) => e.type === 'cohost' && e.action === 'left');
      await guest.getByRole('button', { name: 'End' }).click();
      await Promise.all([waitState(host, 'ended'), waitState(guest, 'ended')]);
      for (const page of [host, guest]) {
        expect(await session(page)).toMatchObject({ id: hostSession!.id, state: 'ended', endReason: 'ended' });
        expect(await page.evaluate(() => (globalThis as unknown as DemoGlobal).cohostDemo?.pcState)).toBe('closed');
      }
      const leftEvent = await left;
      expect(leftEvent).toMatchObject({ type: 'cohost', action: 'left', userId: GUEST, seats: expect.any(Array) });
      expect(leftEvent.seats).not.toContain(GUEST);
    }, diagnostics);
  }, 60_000);
});
