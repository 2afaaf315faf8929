import { LiveroomClient, type LiveroomClientOptions, type RoomEvent } from '../src/index.js';

/**
 * An SDK client following one room, recording what the application sees (each event's seq and
 * barrage text) and what happened to its connection, with times: for the failover and drain tests.
 */
export class SdkViewer {
  readonly client: LiveroomClient;
  readonly seqs: number[] = [];
  /** Barrage text by seq. */
  readonly texts = new Map<number, string>();
  /** URL of every connection, in order. */
  readonly connections: string[] = [];
  readonly disconnects: { at: number; reason: string }[] = [];
  readonly drains: { at: number; payload: { reconnectInMs?: number } }[] = [];
  resumes = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(
    options: LiveroomClientOptions,
    readonly name: string,
  ) {
    this.client = new LiveroomClient(options);
    this.client.on('connected', (url) => this.record(() => this.connections.push(url as string)));
    this.client.on('disconnected', (reason) => this.record(() => this.disconnects.push({ at: Date.now(), reason: reason as string })));
    this.client.on('resumed', () => this.record(() => this.resumes++));
    this.client.onServer<{ reconnectInMs?: number }>('server:drain', (payload) => this.record(() => this.drains.push({ at: Date.now(), payload })));
  }

  static async join(name: string, roomId: string, options: LiveroomClientOptions): Promise<SdkViewer> {
    const viewer = new SdkViewer(options, name);
    await viewer.client.join(roomId, { onEvents: (events) => viewer.record(() => viewer.add(events)) });
    return viewer;
  }

  get lastSeq(): number {
    return this.seqs.at(-1) ?? 0;
  }

  /** Resolves once `done()` holds; re-checked whenever something is recorded, not polled. */
  waitFor(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms (${this.summary()})`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  until(seq: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(`seq ${seq}`, () => this.lastSeq >= seq, timeoutMs);
  }

  summary(): string {
    return `connections ${JSON.stringify(this.connections)}, disconnects ${JSON.stringify(this.disconnects.map((d) => d.reason))}, drains ${this.drains.length}, resumes ${this.resumes}, ${this.seqs.length} events, last seq ${this.lastSeq}`;
  }

  private add(events: RoomEvent[]): void {
    for (const event of events) {
      this.seqs.push(event.seq);
      if (event.type === 'barrage') this.texts.set(event.seq, event.text);
    }
  }

  private record(change: () => void): void {
    change();
    for (const check of [...this.waiters]) check();
  }
}

/**
 * Sends barrages `${prefix}1` … `${prefix}${total}` through `send`, `concurrency` requests in flight at
 * once, each worker pausing `pauseMs` between its sends; keeps the seq of every ok ack by text, and
 * every failure. Runs in the background: `done` settles when all were answered (or after stop()).
 */
export class BarragePump {
  readonly acked = new Map<string, number>();
  readonly failures: string[] = [];
  readonly done: Promise<void>;
  private next = 1;
  private stopped = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly send: (text: string) => Promise<{ seq: number }>,
    private readonly options: { prefix: string; total: number; concurrency: number; pauseMs?: number },
  ) {
    this.done = Promise.all(Array.from({ length: options.concurrency }, () => this.worker())).then(() => undefined);
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  /** Resolves once `count` sends were acked ok. */
  waitAcked(count: number, timeoutMs = 15_000): Promise<void> {
    if (this.acked.size >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.options.prefix}: ${this.acked.size} of ${count} acked; failures ${this.failures.join('; ')}`)), timeoutMs);
      const check = () => {
        if (this.acked.size < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  private async worker(): Promise<void> {
    while (!this.stopped && this.next <= this.options.total) {
      const text = `${this.options.prefix}${this.next++}`;
      try {
        const { seq } = await this.send(text);
        this.acked.set(text, seq);
        for (const check of [...this.waiters]) check();
      } catch (error) {
        this.failures.push(`${text}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (this.options.pauseMs) await new Promise((r) => setTimeout(r, this.options.pauseMs));
    }
  }
}
