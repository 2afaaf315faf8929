import { SingleFlight } from './single-flight.js';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('shares one read among concurrent callers of a key, and reads again once it settled', async () => {
    const flight = new SingleFlight<number>();
    const d = deferred<number>();
    let reads = 0;
    const read = (): Promise<number> => (reads++, d.promise);
    const a = flight.run('room-1', read);
    const b = flight.run('room-1', read);
    expect(reads).toBe(1);
    d.resolve(7);
    await expect(Promise.all([a, b])).resolves.toEqual([7, 7]);
    expect(flight.size).toBe(0);
    await flight.run('room-1', () => (reads++, Promise.resolve(8)));
    expect(reads).toBe(2);
  });

  it('keeps keys apart', async () => {
    const flight = new SingleFlight<string>();
    const [a, b] = await Promise.all([flight.run('a', async () => 'A'), flight.run('b', async () => 'B')]);
    expect([a, b]).toEqual(['A', 'B']);
  });

  it('hands a failure to every waiting caller and forgets it', async () => {
    const flight = new SingleFlight<number>();
    const d = deferred<number>();
    const a = flight.run('k', () => d.promise);
    const b = flight.run('k', () => Promise.resolve(1));
    d.reject(new Error('redis down'));
    await expect(a).rejects.toThrow('redis down');
    await expect(b).rejects.toThrow('redis down');
    await expect(flight.run('k', () => Promise.resolve(2))).resolves.toBe(2);
  });
});
