import type { Redis } from 'ioredis';
import { CompletionBatcher } from './completion-batcher.js';

/** A stand-in for ioredis' multi(): records each transaction's commands; exec can be made to fail. */
class FakeRedis {
  readonly transactions: string[][][] = [];
  failNext = 0;
  private gate: Promise<void> = Promise.resolve();
  private openGate: (() => void) | null = null;

  /** Makes the next exec wait until release() (a MULTI in flight). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }
  release(): void {
    this.openGate?.();
  }

  multi(): unknown {
    const commands: string[][] = [];
    const tx = {
      publish: (channel: string, payload: string) => (commands.push(['publish', channel, payload]), tx),
      xack: (...args: string[]) => (commands.push(['xack', ...args]), tx),
      xdel: (...args: string[]) => (commands.push(['xdel', ...args]), tx),
      exec: async () => {
        await this.gate;
        if (this.failNext > 0) {
          this.failNext--;
          throw new Error('connection reset');
        }
        this.transactions.push(commands);
        return [];
      },
    };
    return tx;
  }
}

const batcherOn = (fake: FakeRedis) => new CompletionBatcher(() => fake as unknown as Redis, 'lr:rpc:svc', 'svc');

it('finishes every entry completed in one event-loop turn with one MULTI', async () => {
  const fake = new FakeRedis();
  const batcher = batcherOn(fake);
  await Promise.all([
    batcher.finish({ entryId: '1-0', replyTo: 'reply:a', payload: '{"id":"a"}' }),
    batcher.finish({ entryId: '2-0' }), // an event: acknowledged, no reply
    batcher.finish({ entryId: '3-0', replyTo: 'reply:b', payload: '{"id":"b"}' }),
  ]);
  expect(fake.transactions).toEqual([
    [
      ['publish', 'reply:a', '{"id":"a"}'],
      ['publish', 'reply:b', '{"id":"b"}'],
      ['xack', 'lr:rpc:svc', 'svc', '1-0', '2-0', '3-0'],
      ['xdel', 'lr:rpc:svc', '1-0', '2-0', '3-0'],
    ],
  ]);
});

it('gathers what completes while a MULTI is in flight into the next one', async () => {
  const fake = new FakeRedis();
  const batcher = batcherOn(fake);
  fake.hold();
  const first = batcher.finish({ entryId: '1-0' });
  await new Promise((r) => setImmediate(r)); // the first MULTI is now waiting on the fake
  const later = [batcher.finish({ entryId: '2-0' }), batcher.finish({ entryId: '3-0' })];
  fake.release();
  await Promise.all([first, ...later]);
  expect(fake.transactions.map((t) => t.find((c) => c[0] === 'xack')?.slice(3))).toEqual([['1-0'], ['2-0', '3-0']]);
});

it('retries a failed MULTI, and rejects the batch after three failures', async () => {
  const fake = new FakeRedis();
  const batcher = batcherOn(fake);
  fake.failNext = 1;
  await batcher.finish({ entryId: '1-0' });
  expect(fake.transactions).toHaveLength(1);
  fake.failNext = 3;
  await expect(batcher.finish({ entryId: '2-0' })).rejects.toThrow('connection reset');
  // The batcher keeps working after a rejected batch.
  await batcher.finish({ entryId: '3-0' });
  expect(fake.transactions.map((t) => t.find((c) => c[0] === 'xack')?.slice(3))).toEqual([['1-0'], ['3-0']]);
}, 10_000);
