import type { RoomStatsFrame } from '#sdk';
import { hooks } from './demo-hooks.js';
import { byId, h } from './dom.js';
import { attempt } from './notices.js';
import { openRoom } from './open-room.js';

/** Clicks within this window go out as one like:send (PROTOCOL §4: count 1-100). */
const BATCH_MS = 200;
const MAX_LIKES_PER_SEND = 100;
/** Others' likes float up as a few hearts, whatever their count. */
const MAX_HEARTS_PER_STATS = 5;

const likeButton = byId<HTMLButtonElement>('like-button');
const likeTotal = byId('like-total');
const viewerTotal = byId('viewer-total');
const heartLayer = byId('heart-layer');

let unsentLikes = 0;
/** Hearts already floated for own clicks, not to float them again when the totals come in. */
let ownHeartsShown = 0;
let batchTimer: ReturnType<typeof setTimeout> | null = null;

export function initLikes(): void {
  likeButton.addEventListener('click', () => {
    if (!openRoom()) return;
    unsentLikes++;
    ownHeartsShown++;
    floatHeart();
    batchTimer ??= setTimeout(sendLikes, BATCH_MS);
  });
}

function sendLikes(): void {
  batchTimer = null;
  const count = Math.min(MAX_LIKES_PER_SEND, unsentLikes);
  unsentLikes = 0;
  const room = openRoom();
  if (room && count > 0) void attempt('Like not sent', () => room.client.like(room.roomId, count));
}

/** Totals are aggregated by the server (room:stats, at most once a second): they are the truth. */
export function onStats(stats: RoomStatsFrame): void {
  const added = stats.likes - hooks.likes;
  hooks.likes = stats.likes;
  hooks.viewers = stats.viewers;
  renderStats();
  const othersLikes = Math.max(0, added - ownHeartsShown);
  for (let i = 0; i < Math.min(MAX_HEARTS_PER_STATS, othersLikes); i++) setTimeout(floatHeart, i * 120);
  ownHeartsShown = 0;
}

export function renderStats(): void {
  likeTotal.textContent = String(hooks.likes);
  viewerTotal.textContent = String(hooks.viewers);
}

function floatHeart(): void {
  const heart = h('span', { class: 'heart' }, '❤');
  heart.style.left = `${70 + Math.random() * 25}%`;
  heartLayer.append(heart);
  const drift = Math.round(Math.random() * 40 - 20);
  heart
    .animate(
      [
        { transform: 'translateY(0) scale(0.8)', opacity: 1 },
        { transform: `translateY(-180px) translateX(${drift}px) scale(1.3)`, opacity: 0 },
      ],
      { duration: 1400, easing: 'ease-out' },
    )
    .addEventListener('finish', () => heart.remove());
}
