import type { RoomEvent } from '#sdk';
import type { BarrageEvent } from './barrage-stage.js';
import { button, byId, h } from './dom.js';
import { moderate } from './moderation-panel.js';

/** Older lines drop off: the log is a view of the recent past, the room log keeps the rest. */
const MAX_LINES = 300;
const DEFAULT_COLOR = '#ffffff';

const chatLog = byId<HTMLOListElement>('chat-log');

export function clearChat(): void {
  chatLog.replaceChildren();
}

/** One line per room event; barrage lines carry moderator buttons (shown by CSS to moderators only). */
export function addChatLine(event: RoomEvent): void {
  const time = h('time', { datetime: new Date(event.ts).toISOString() }, new Date(event.ts).toLocaleTimeString());
  const line = event.type === 'barrage' ? barrageLine(event, time) : h('li', { class: `chat-line system ${event.type}` }, time, ` ${describe(event)}`);
  line.dataset.seq = String(event.seq);
  chatLog.append(line);
  while (chatLog.childElementCount > MAX_LINES) chatLog.firstElementChild?.remove();
  chatLog.scrollTop = chatLog.scrollHeight;
}

/** A moderator deleted the message: its text goes, the line stays so the conversation still reads. */
export function markDeleted(seq: number): void {
  const line = chatLog.querySelector<HTMLLIElement>(`li.barrage[data-seq="${seq}"]`);
  if (!line) return;
  line.classList.add('deleted');
  line.querySelector('.text')?.replaceChildren('(deleted by a moderator)');
  line.querySelector('.mod-actions')?.remove();
}

function describe(event: Exclude<RoomEvent, BarrageEvent>): string {
  switch (event.type) {
    case 'gift':
      return `🎁 ${event.name} sent ${event.giftName} ×${event.count} (${event.value} coins)`;
    case 'cohost':
      return `🎙 ${event.userId} ${event.action === 'joined' ? 'took a co-host seat' : 'left their co-host seat'}`;
    case 'moderation':
      if (event.action === 'slowmode') return `🛡 slow mode ${event.seconds > 0 ? `on: one message per ${event.seconds} s` : 'off'}`;
      if (event.action === 'ban') return `🛡 ${event.userId} was banned`;
      return `🛡 message #${event.targetSeq} deleted`;
    case 'room':
      return '■ the room has ended';
  }
}

function barrageLine(event: BarrageEvent, time: HTMLElement): HTMLLIElement {
  const color = event.color ?? DEFAULT_COLOR;
  const dot = h('span', { class: 'dot', title: color });
  dot.style.background = color;
  const { seq, userId } = event;
  return h(
    'li',
    { class: 'chat-line barrage', 'data-user': userId },
    time,
    ' ',
    dot,
    h('span', { class: 'who', title: userId }, event.name),
    h('span', { class: 'text' }, event.text),
    event.mode && event.mode !== 'scroll' ? h('span', { class: 'tag' }, event.mode) : null,
    event.masked ? h('span', { class: 'tag', title: 'blocked words were masked' }, 'masked') : null,
    h(
      'span',
      { class: 'mod-actions' },
      button('delete', () => void moderate('Deleting the message', (c, roomId) => c.moderation.deleteEvent(roomId, seq), `Message #${seq} deleted.`), { class: 'small' }),
      button('mute 60 s', () => void moderate(`Muting ${userId}`, (c, roomId) => c.moderation.mute(roomId, userId, 60), `${userId} is muted for 60 s.`), { class: 'small' }),
      button('ban', () => void moderate(`Banning ${userId}`, (c, roomId) => c.moderation.ban(roomId, userId), `${userId} is banned.`), { class: 'small danger' }),
    ),
  );
}
