import type { RoomEvent } from '#sdk';

export type BarrageEvent = Extract<RoomEvent, { type: 'barrage' }>;
export type BarrageMode = 'scroll' | 'top' | 'bottom';

export interface StageOptions {
  /** Height of one lane in px. */
  laneHeight: number;
  /** How long a scrolling message takes to cross the stage (longer ones take a bit longer: same speed). */
  crossSeconds: number;
  /** How long a top/bottom message stays. */
  pinMs: number;
  /** Horizontal gap kept behind a scrolling message before the next one enters its lane. */
  gapPx: number;
}

const DEFAULTS: StageOptions = { laneHeight: 34, crossSeconds: 8, pinMs: 4500, gapPx: 24 };
const COLOR = /^#[0-9a-fA-F]{6}$/;

/**
 * Barrage (弹幕) over the video area: `scroll` messages fly right to left in lanes, at one speed so a
 * message never catches up with the one before it in its lane; `top`/`bottom` messages are pinned,
 * centered, from the top or the bottom, for a few seconds. A deleted message disappears at once.
 */
export class BarrageStage {
  private readonly options: StageOptions;
  /** Per lane: when the last scrolling message's tail has cleared the right edge (ms, performance.now). */
  private scrollFreeAt: number[] = [];
  private topUntil: number[] = [];
  private bottomUntil: number[] = [];
  private readonly live = new Map<number, { element: HTMLElement; animation: Animation }>();

  constructor(
    private readonly layer: HTMLElement,
    options: Partial<StageOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Messages on the stage right now. */
  get size(): number {
    return this.live.size;
  }

  show(event: BarrageEvent, mine: boolean): HTMLElement {
    const mode: BarrageMode = event.mode ?? 'scroll';
    const element = document.createElement('div');
    element.className = `danmaku danmaku-${mode}${mine ? ' mine' : ''}`;
    element.textContent = event.text;
    element.title = `${event.name}: ${event.text}`;
    element.style.color = event.color && COLOR.test(event.color) ? event.color : '#ffffff';
    element.dataset.seq = String(event.seq);
    element.dataset.user = event.userId;
    this.remove(event.seq);
    const animation = mode === 'scroll' ? this.scroll(element) : this.pin(element, mode);
    this.live.set(event.seq, { element, animation });
    animation.addEventListener('finish', () => this.drop(event.seq, element));
    animation.addEventListener('cancel', () => this.drop(event.seq, element));
    return element;
  }

  /** Takes a message off the stage (moderation delete). */
  remove(seq: number): boolean {
    const entry = this.live.get(seq);
    if (!entry) return false;
    entry.animation.cancel();
    this.drop(seq, entry.element);
    return true;
  }

  clear(): void {
    for (const seq of [...this.live.keys()]) this.remove(seq);
  }

  private drop(seq: number, element: HTMLElement): void {
    element.remove();
    if (this.live.get(seq)?.element === element) this.live.delete(seq);
  }

  private laneCount(): number {
    return Math.max(1, Math.floor((this.layer.clientHeight - 8) / this.options.laneHeight));
  }

  private scroll(element: HTMLElement): Animation {
    const now = performance.now();
    const width = this.layer.clientWidth;
    const lane = pickLane((this.scrollFreeAt = fit(this.scrollFreeAt, this.laneCount())), now);
    element.style.top = `${4 + lane * this.options.laneHeight}px`;
    element.style.transform = `translateX(${width}px)`;
    this.layer.append(element);
    const own = element.offsetWidth;
    const speed = Math.max(80, width / this.options.crossSeconds); // px per second
    this.scrollFreeAt[lane] = now + ((own + this.options.gapPx) / speed) * 1000;
    return element.animate([{ transform: `translateX(${width}px)` }, { transform: `translateX(${-own - 8}px)` }], {
      duration: ((width + own + 8) / speed) * 1000,
      easing: 'linear',
      fill: 'forwards',
    });
  }

  private pin(element: HTMLElement, mode: 'top' | 'bottom'): Animation {
    const now = performance.now();
    // Pinned messages use at most half the stage each, so top and bottom do not meet.
    const lanes = Math.max(1, Math.floor(this.laneCount() / 2));
    const until = mode === 'top' ? (this.topUntil = fit(this.topUntil, lanes)) : (this.bottomUntil = fit(this.bottomUntil, lanes));
    const lane = pickLane(until, now);
    until[lane] = now + this.options.pinMs;
    element.style[mode] = `${4 + lane * this.options.laneHeight}px`;
    this.layer.append(element);
    return element.animate([{ opacity: 0 }, { opacity: 1, offset: 0.04 }, { opacity: 1, offset: 0.9 }, { opacity: 0 }], {
      duration: this.options.pinMs,
      fill: 'forwards',
    });
  }
}

/** The lanes array resized to `count` (new lanes are free). */
function fit(lanes: number[], count: number): number[] {
  return lanes.length === count ? lanes : Array.from({ length: count }, (_, i) => lanes[i] ?? 0);
}

/** The first free lane, or the one that frees up soonest. */
function pickLane(busyUntil: number[], now: number): number {
  let best = 0;
  for (let i = 0; i < busyUntil.length; i++) {
    if ((busyUntil[i] ?? 0) <= now) return i;
    if ((busyUntil[i] ?? 0) < (busyUntil[best] ?? 0)) best = i;
  }
  return best;
}
