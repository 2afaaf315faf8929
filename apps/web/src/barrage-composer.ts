import type { BarrageMode } from './barrage-stage.js';
import { hooks, log } from './demo-hooks.js';
import { button, byId } from './dom.js';
import { attempt, notice } from './notices.js';
import { openRoom } from './open-room.js';

/** Quick picks besides the free color input; the protocol takes any `#rrggbb`. */
const SWATCHES = ['#ffffff', '#ff4d6d', '#ffb703', '#8ac926', '#4cc9f0', '#b388ff'];
const MODES: ReadonlySet<string> = new Set<BarrageMode>(['scroll', 'top', 'bottom']);

const form = byId<HTMLFormElement>('barrage-form');
const textInput = byId<HTMLInputElement>('barrage-text');
const colorInput = byId<HTMLInputElement>('barrage-color');
const modeSelect = byId<HTMLSelectElement>('barrage-mode');
const swatches = byId('color-swatches');
const slowModeBadge = byId('slowmode-badge');

/** The message box under the stage: text, color, mode (scroll / top / bottom). */
export function initComposer(): void {
  for (const color of SWATCHES) {
    const swatch = button('', () => (colorInput.value = color), { class: 'swatch', title: color, 'aria-label': `color ${color}`, 'data-needs-live': true });
    swatch.style.background = color;
    swatches.append(swatch);
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const room = openRoom();
    const text = textInput.value.trim();
    if (!room || !text) return;
    const mode = MODES.has(modeSelect.value) ? (modeSelect.value as BarrageMode) : 'scroll';
    const color = colorInput.value.toLowerCase();
    void attempt('Message not sent', async () => {
      const result = await room.client.sendBarrage(room.roomId, text, { color, mode });
      log(`sent #${result.seq}`);
      // Keep whatever was typed meanwhile; clear only the text that went out.
      if (textInput.value.trim() === text) textInput.value = '';
      if (result.masked) notice('info', 'Some words in your message were masked (shown as *).');
    });
  });
}

export function renderSlowMode(): void {
  slowModeBadge.hidden = hooks.slowModeSec <= 0;
  slowModeBadge.textContent = `slow mode: one message per ${hooks.slowModeSec} s`;
}
