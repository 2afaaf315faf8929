import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO_ROOT, TestSystem, withDiagnostics } from '#testing';
import { ERROR_TEXT, type ErrorCode, errorText } from '../src/error-messages.js';

/**
 * The demo room page (apps/web, built into dist/web and served by the gateway at `/`) in headless
 * Chromium: two signed-in users in separate browser contexts, one creating the room and one joining it
 * through the page, see each other's barrage; likes, gifts (refused without coins, then after a dev
 * top-up), an anonymous viewer refused with a clear message, a co-host seat, a moderator appointed by the
 * host, and the end of the room. A screenshot of the room is saved under dist/test-artifacts/.
 */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = join(REPO_ROOT, 'dist/test-artifacts/demo-room.png');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What the page exposes on `window.liveroomDemo` (apps/web/src/demo-hooks.ts), the parts read here. */
interface DemoHooks {
  phase: string;
  userId: string | null;
  roomId: string | null;
  hostId: string | null;
  role: string | null;
  likes: number;
  viewers: number;
  balance: number | null;
  seats: string[];
  rendered: { seq: number; userId: string; text: string; color: string; mode: string }[];
  gifts: { seq: number; txId: string; userId: string; giftId: string; count: number }[];
  leaderboard: { userId: string; name: string; value: number }[];
  deleted: number[];
  notices: { kind: string; code?: string; text: string }[];
  log: string[];
}
/** The page's global object as seen from functions evaluated in the page (no DOM lib here). */
interface DemoGlobal {
  liveroomDemo?: DemoHooks;
}

const system = new TestSystem({ cohost: true });
let browser: Browser | undefined;
let gatewayUrl: string;
const pages: { name: string; page: Page; errors: string[]; pageErrors: string[] }[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: the demo room browser test needs it (apt-get install chromium, or set CHROMIUM_PATH)`);
  }
  if (!existsSync(join(REPO_ROOT, 'dist/web/index.html'))) throw new Error('dist/web/index.html is missing: run `npm run build` first');
  rmSync(SCREENSHOT, { force: true });
  await system.start();
  gatewayUrl = system.gateways[0]!.url;
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await system.stop();
}, 30_000);

/** The page at `/` (plus `query`) in a browser context of its own: own sessionStorage, so its own user. */
async function openPage(name: string, query = ''): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  // "End this room for everyone?"
  page.on('dialog', (dialog) => void dialog.accept());
  pages.push({ name, page, errors, pageErrors });
  await page.goto(`${gatewayUrl}/${query}`);
  return page;
}

/**
 * Waits until `predicate(window.liveroomDemo, arg)` holds in the page. Playwright runs a string page
 * function as an expression, so the predicate travels as its source and `arg` as JSON.
 */
async function until<A>(page: Page, predicate: (hooks: DemoHooks, arg: A) => boolean, arg: A): Promise<void> {
  await page.waitForFunction(`globalThis.liveroomDemo !== undefined && (${predicate.toString()})(globalThis.liveroomDemo, ${JSON.stringify(arg)})`);
}

function hooksOf(page: Page): Promise<DemoHooks> {
  return page.evaluate(() => (globalThis as unknown as DemoGlobal).liveroomDemo!);
}

async function signIn(page: Page, userId: string, name: string): Promise<void> {
  await page.locator('#signin-user').fill(userId);
  await page.locator('#signin-name').fill(name);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await until(page, (h, id) => h.userId === id && h.phase === 'lobby', userId);
}

async function sendBarrage(page: Page, text: string): Promise<void> {
  await page.locator('#barrage-text').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

/** The error notice the page shows for `code` (one without a retry hint); it must hold the code's human message. */
async function expectErrorNotice(page: Page, code: ErrorCode): Promise<void> {
  const shown = page.locator(`#notices .notice-error[data-code="${code}"]`).first();
  await shown.waitFor();
  expect(await shown.textContent()).toContain(errorText({ code }));
}

async function chatTexts(page: Page): Promise<string[]> {
  return page.locator('#chat-log li.barrage .text').allTextContents();
}

/** The pages' own logs and errors and the backend's recent output, for a failure message. */
async function diagnostics(): Promise<string> {
  const parts: string[] = [];
  for (const { name, page, errors, pageErrors } of pages) {
    const log = await page.evaluate(() => (globalThis as unknown as DemoGlobal).liveroomDemo?.log ?? ['(no liveroomDemo)']).catch((e: unknown) => [`(page gone: ${String(e)})`]);
    parts.push(`--- ${name} page log\n${[...log, ...errors, ...pageErrors.map((e) => `pageerror: ${e}`)].join('\n')}`);
  }
  for (const app of system.apps) parts.push(`--- ${app.name} output\n${app.output.join('').slice(-2000)}`);
  return parts.join('\n');
}

describe('demo room page in headless Chromium', () => {
  it('two users share a room: barrage both ways, likes, gifts, errors, co-host seat, moderation, end', async () => {
    await withDiagnostics(async () => {
      // Alice signs in and creates a room: she hosts it and gets the moderator controls.
      const alice = await openPage('alice');
      await signIn(alice, 'alice', 'Alice');
      await alice.getByRole('button', { name: 'Create room' }).click();
      await until(alice, (h) => h.phase === 'joined' && h.role === 'host', null);
      const roomId = (await hooksOf(alice)).roomId!;
      expect(roomId).toMatch(/^r_/);
      expect(await alice.locator('#mod-panel').isVisible()).toBe(true);
      expect(await alice.locator('#mod-host-only').isVisible()).toBe(true);

      // Bob signs in and joins it by id from the lobby: a plain viewer, no moderator controls.
      const bob = await openPage('bob');
      await signIn(bob, 'bob', 'Bob');
      await bob.locator('#join-id').fill(roomId);
      await bob.getByRole('button', { name: 'Join room' }).click();
      await until(bob, (h, id) => h.phase === 'joined' && h.roomId === id && h.role === 'viewer', roomId);
      expect((await hooksOf(bob)).hostId).toBe('alice');
      expect(await bob.locator('#mod-panel').isHidden()).toBe(true);
      // Live totals: the host's page counts both viewers.
      await until(alice, (h) => h.viewers === 2, null);
      expect(await alice.locator('#viewer-total').textContent()).toBe('2');

      // Barrage both ways: Alice's in red, pinned at the top; Bob's scrolling, default white.
      await alice.getByRole('button', { name: 'color #ff4d6d' }).click();
      await alice.locator('#barrage-mode').selectOption('top');
      await sendBarrage(alice, 'hello from alice');
      await sendBarrage(bob, 'hi from bob');
      const both = ['hello from alice', 'hi from bob'];
      // On Bob's stage, Alice's message is pinned at the top in her color while it lasts (4.5 s): checked
      // as soon as Bob's page has both messages, and captured in the screenshot.
      await until(bob, (h, texts) => texts.every((t) => h.rendered.some((r) => r.text === t)), both);
      const pinned = bob.locator('#barrage-layer .danmaku-top', { hasText: 'hello from alice' });
      await pinned.waitFor();
      expect(await pinned.evaluate((el) => (el as unknown as { style: { color: string } }).style.color)).toBe('rgb(255, 77, 109)');
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await bob.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(statSync(SCREENSHOT).size).toBeGreaterThan(PNG_SIGNATURE.length);
      expect(readFileSync(SCREENSHOT).subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)).toBe(true);
      for (const page of [alice, bob]) {
        await until(page, (h, texts) => texts.every((t) => h.rendered.some((r) => r.text === t)), both);
        const { rendered } = await hooksOf(page);
        expect(rendered.find((r) => r.text === 'hello from alice')).toMatchObject({ userId: 'alice', color: '#ff4d6d', mode: 'top' });
        expect(rendered.find((r) => r.text === 'hi from bob')).toMatchObject({ userId: 'bob', color: '#ffffff', mode: 'scroll' });
        expect(await chatTexts(page)).toEqual(expect.arrayContaining(both));
      }

      // Likes: three clicks of Bob's show up in both pages' totals.
      for (let i = 0; i < 3; i++) await bob.locator('#like-button').click();
      for (const page of [alice, bob]) {
        await until(page, (h) => h.likes === 3, null);
        expect(await page.locator('#like-total').textContent()).toBe('3');
      }

      // Gifts: no coins yet, so a Rocket (100) is refused with the INSUFFICIENT_FUNDS message.
      await until(bob, (h) => h.balance === 0, null);
      const rocket = bob.locator('#gift-list button[data-gift-id="rocket"]');
      await rocket.click();
      await expectErrorNotice(bob, 'INSUFFICIENT_FUNDS');
      expect((await hooksOf(bob)).gifts).toEqual([]);
      // The dev top-up credits 1000 coins; then the Rocket goes out to the room.
      await bob.getByRole('button', { name: 'dev: +1000 coins' }).click();
      await until(bob, (h) => h.balance === 1000, null);
      await rocket.click();
      await until(bob, (h) => h.balance === 900, null);
      expect(await bob.locator('#wallet-balance').textContent()).toBe('900');
      for (const page of [alice, bob]) {
        await until(page, (h) => h.gifts.some((g) => g.userId === 'bob' && g.giftId === 'rocket' && g.count === 1), null);
        await until(page, (h) => h.leaderboard.some((e) => e.userId === 'bob' && e.value === 100), null);
        await page.locator('#leaderboard li[data-user="bob"]', { hasText: '100 coins' }).waitFor();
        await page.locator('#chat-log li.gift', { hasText: 'Bob sent Rocket ×1 (100 coins)' }).waitFor();
      }

      // An anonymous viewer invited by link watches (sees the history) but may not write.
      const anonymous = await openPage('anonymous', `?room=${roomId}`);
      await anonymous.getByRole('button', { name: 'Watch anonymously' }).click();
      await until(anonymous, (h, id) => h.phase === 'joined' && h.roomId === id && h.role === 'anonymous', roomId);
      expect(await chatTexts(anonymous)).toEqual(expect.arrayContaining(both));
      await sendBarrage(anonymous, 'may I?');
      await expectErrorNotice(anonymous, 'UNAUTHORIZED');
      expect(await chatTexts(alice)).not.toContain('may I?');

      // Co-host: Bob asks for a seat, Alice accepts; both pages show him seated.
      await bob.locator('#cohost-request').click();
      await alice.locator('#cohost-actions .request', { hasText: 'bob asks for a seat' }).getByRole('button', { name: 'Accept' }).click();
      for (const page of [alice, bob, anonymous]) {
        await until(page, (h) => h.seats.includes('bob'), null);
        await page.locator('#seats .seat[data-user="bob"]').waitFor();
      }

      // Alice makes Bob a moderator; his page shows the controls once it re-reads his role.
      await alice.locator('#mod-user').fill('bob');
      await alice.getByRole('button', { name: 'Make moderator' }).click();
      await alice.locator('#notices .notice-info', { hasText: 'bob is now a moderator' }).waitFor();
      await bob.getByRole('button', { name: 'Check my role again' }).click();
      await until(bob, (h) => h.role === 'moderator', null);
      expect(await bob.locator('#mod-panel').isVisible()).toBe(true);
      expect(await bob.locator('#mod-host-only').isHidden()).toBe(true);
      // As a moderator, Bob deletes his own message from the chat log; every page takes it down.
      const bobsSeq = (await hooksOf(bob)).rendered.find((r) => r.text === 'hi from bob')!.seq;
      await bob.locator('#chat-log li.barrage', { hasText: 'hi from bob' }).getByRole('button', { name: 'delete' }).click();
      for (const page of [alice, bob, anonymous]) {
        await until(page, (h, seq) => h.deleted.includes(seq), bobsSeq);
        await page.locator(`#chat-log li.barrage.deleted[data-seq="${bobsSeq}"]`).waitFor();
      }

      // Alice ends the room: everyone is told, and nothing more can be sent.
      await alice.getByRole('button', { name: 'End room' }).click();
      for (const page of [alice, bob, anonymous]) {
        await until(page, (h) => h.phase === 'ended', null);
        await page.locator('#notices .notice[data-code="ROOM_ENDED"]', { hasText: ERROR_TEXT.ROOM_ENDED }).first().waitFor();
        expect(await page.locator('#barrage-send').isDisabled()).toBe(true);
      }

      for (const { name, pageErrors } of pages) expect({ name, pageErrors }).toEqual({ name, pageErrors: [] });
    }, diagnostics);
  }, 120_000);
});
