import type { RoomEvent } from '#sdk';
import type { Gift } from './api.js';
import { hooks, log, record } from './demo-hooks.js';
import { button, byId, h } from './dom.js';
import { attempt, fail, notice } from './notices.js';
import { openRoom } from './open-room.js';
import { http } from './page-context.js';
import { currentSession } from './session-store.js';

type GiftEvent = Extract<RoomEvent, { type: 'gift' }>;

const GIFT_ICONS: Record<string, string> = { heart: '❤️', rose: '🌹', rocket: '🚀', castle: '🏰' };
const TOP_UP_COINS = 1000;
/**
 * Several gifts in a burst refresh the leaderboard once. The gifting relay counts a gift into the
 * leaderboard just after announcing it, so a second, later look catches one the first raced past.
 */
const REFRESH_DELAYS_MS = [250, 1500];
const MAX_BANNERS = 3;

const walletBalance = byId('wallet-balance');
const topUpButton = byId<HTMLButtonElement>('topup');
const topUpHint = byId('topup-hint');
const countInput = byId<HTMLInputElement>('gift-count');
const giftList = byId('gift-list');
const leaderboardList = byId<HTMLOListElement>('leaderboard');
const giftLayer = byId('gift-layer');

let catalog: Gift[] | null = null;
let refreshPending = false;

export function giftIcon(giftId: string): string {
  return GIFT_ICONS[giftId] ?? '🎁';
}

export function initGifts(): void {
  topUpButton.addEventListener('click', () => void topUp());
}

/** A room was joined: catalog (once), wallet, leaderboard. */
export async function showGiftsFor(roomId: string): Promise<void> {
  giftLayer.replaceChildren();
  leaderboardList.replaceChildren();
  const signedIn = Boolean(currentSession()?.userId);
  topUpButton.hidden = !signedIn;
  topUpHint.textContent = signedIn
    ? 'dev: credits your wallet through the admin API (with a development admin token), as a payment provider would confirm a purchase.'
    : 'Sign in to have a wallet.';
  refreshWallet();
  refreshLeaderboard(roomId);
  await loadCatalog();
}

async function loadCatalog(): Promise<void> {
  try {
    catalog ??= await http.gifts();
  } catch (error) {
    fail('Loading the gift catalog', error);
    return;
  }
  giftList.replaceChildren(
    ...catalog.map((gift) =>
      button(`${giftIcon(gift.id)} ${gift.name} · ${gift.price}`, () => void sendGift(gift), {
        class: 'gift',
        'data-gift-id': gift.id,
        'data-needs-live': true,
        disabled: hooks.phase !== 'joined',
        title: `${gift.name}: ${gift.price} coins each`,
      }),
    ),
  );
}

async function sendGift(gift: Gift): Promise<void> {
  const room = openRoom();
  if (!room) return;
  const count = Math.trunc(Number(countInput.value) || 1);
  await attempt(`${gift.name} not sent`, async () => {
    const result = await room.client.sendGift(room.roomId, gift.id, count);
    setBalance(result.balance);
    log(`gift ${gift.id} ×${count}: tx ${result.txId}`);
  });
}

/**
 * A gift event of the room: a banner over the stage and a fresh leaderboard. (The sender's balance
 * comes with the gift's ack; the host's share goes to a host account, not the wallet.)
 */
export function onGiftEvent(event: GiftEvent): void {
  record(hooks.gifts, { seq: event.seq, txId: event.txId, userId: event.userId, giftId: event.giftId, count: event.count });
  showBanner(`${event.name} sent ${giftIcon(event.giftId)} ${event.giftName} ×${event.count}`);
  if (refreshPending) return;
  refreshPending = true;
  REFRESH_DELAYS_MS.forEach((delay, i) =>
    setTimeout(() => {
      if (i === REFRESH_DELAYS_MS.length - 1) refreshPending = false;
      if (hooks.roomId) refreshLeaderboard(hooks.roomId);
    }, delay),
  );
}

function setBalance(balance: number | null): void {
  hooks.balance = balance;
  walletBalance.textContent = balance === null ? '–' : String(balance);
}

function refreshWallet(): void {
  if (!currentSession()?.token) return setBalance(null);
  void http.wallet().then(
    (wallet) => setBalance(wallet.balance),
    (error: unknown) => fail('Loading your wallet', error),
  );
}

/** Development top-up: an admin credit (PROTOCOL §7), signed with a development admin token if needed. */
async function topUp(): Promise<void> {
  const session = currentSession();
  const userId = session?.userId;
  if (!session || !userId) return;
  await attempt('Top-up', async () => {
    const adminToken = session.admin && session.token ? session.token : (await http.devToken('demo-topup-admin', 'Demo top-up', true)).token;
    const result = await http.credit(userId, TOP_UP_COINS, crypto.randomUUID(), adminToken);
    setBalance(result.balance);
    notice('info', `+${TOP_UP_COINS} coins: your balance is ${result.balance}.`);
  });
}

function refreshLeaderboard(roomId: string): void {
  void http.leaderboard(roomId).then(
    (entries) => {
      if (hooks.roomId !== roomId) return;
      hooks.leaderboard = entries;
      leaderboardList.replaceChildren(
        ...(entries.length === 0
          ? [h('li', { class: 'empty' }, 'No gifts yet.')]
          : entries.map((entry) =>
              h('li', { 'data-user': entry.userId }, h('span', { class: 'who', title: entry.userId }, entry.name), h('span', { class: 'value' }, `${entry.value} coins`)),
            )),
      );
    },
    (error: unknown) => fail('Loading the leaderboard', error),
  );
}

function showBanner(text: string): void {
  const banner = h('div', { class: 'gift-banner' }, text);
  giftLayer.append(banner);
  while (giftLayer.childElementCount > MAX_BANNERS) giftLayer.firstElementChild?.remove();
  banner
    .animate(
      [
        { transform: 'translateX(-110%)', opacity: 0 },
        { transform: 'translateX(0)', opacity: 1, offset: 0.1 },
        { transform: 'translateX(0)', opacity: 1, offset: 0.85 },
        { opacity: 0 },
      ],
      { duration: 4000, fill: 'forwards' },
    )
    .addEventListener('finish', () => banner.remove());
}
