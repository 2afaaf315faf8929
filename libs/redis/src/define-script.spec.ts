import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { defineScript, type ScriptArg } from './define-script.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `lrtest:${randomUUID()}:`;
const redis = new Redis(REDIS_URL);
const others: Redis[] = [];
/** A connection of its own (closed after the tests). */
const connect = (options: { enableAutoPipelining?: boolean; keyPrefix?: string } = {}): Redis => {
  const connection = new Redis(REDIS_URL, options);
  others.push(connection);
  return connection;
};

/** KEYS and ARGV as the script saw them, and it sets each key to its ARGV of the same index. */
const ECHO = `
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[i] or '') end
return {KEYS, ARGV}
`;
const INCR = `return redis.call('INCRBY', KEYS[1], ARGV[1])`;

afterAll(async () => {
  const found = await redis.keys(`${prefix}*`);
  if (found.length > 0) await redis.del(...found);
  await Promise.all([redis, ...others].filter((c) => c.status !== 'end').map((c) => c.quit()));
});

describe('defineScript (real Redis)', () => {
  it('returns the reply of the script', async () => {
    const incr = defineScript<[key: string, by: number], number>(redis, 'defineScriptSpecIncr', { numberOfKeys: 1, lua: INCR });
    expect(await incr(`${prefix}n`, 2)).toBe(2);
    expect(await incr(`${prefix}n`, 3)).toBe(5);
    expect(await redis.get(`${prefix}n`)).toBe('5');
  });

  it('splits keys from args with a fixed numberOfKeys', async () => {
    const echo = defineScript<ScriptArg[], [string[], string[]]>(redis, 'defineScriptSpecEcho2', { numberOfKeys: 2, lua: ECHO });
    expect(await echo(`${prefix}a`, `${prefix}b`, 'x', 7, 'z')).toEqual([[`${prefix}a`, `${prefix}b`], ['x', '7', 'z']]);
    expect(await redis.mget(`${prefix}a`, `${prefix}b`)).toEqual(['x', '7']);
  });

  it('takes the key count first when numberOfKeys is left out', async () => {
    const echo = defineScript<[number, ...ScriptArg[]], [string[], string[]]>(redis, 'defineScriptSpecEchoN', { lua: ECHO });
    expect(await echo(1, `${prefix}c`, 'x', 'y')).toEqual([[`${prefix}c`], ['x', 'y']]);
    expect(await echo(3, `${prefix}d`, `${prefix}e`, `${prefix}f`, 'x')).toEqual([[`${prefix}d`, `${prefix}e`, `${prefix}f`], ['x']]);
    expect(await echo(0, 'x')).toEqual([[], ['x']]);
  });

  it('prefixes the keys, and only the keys, with the connection keyPrefix', async () => {
    const prefixed = connect({ keyPrefix: `${prefix}p:` });
    const echo = defineScript<ScriptArg[], [string[], string[]]>(prefixed, 'defineScriptSpecEcho1', { numberOfKeys: 1, lua: ECHO });
    expect(await echo('k', 'v')).toEqual([[`${prefix}p:k`], ['v']]);
  });

  it('can be defined twice on one connection, both callers working', async () => {
    const first = defineScript<[key: string, by: number], number>(redis, 'defineScriptSpecTwice', { numberOfKeys: 1, lua: INCR });
    const second = defineScript<[key: string, by: number], number>(redis, 'defineScriptSpecTwice', { numberOfKeys: 1, lua: INCR });
    expect(await first(`${prefix}t`, 1)).toBe(1);
    expect(await second(`${prefix}t`, 1)).toBe(2);
  });

  it('works on two connections, each bound to its own', async () => {
    const one = connect();
    const two = connect({ enableAutoPipelining: true });
    const onOne = defineScript<[key: string, by: number], number>(one, 'defineScriptSpecConn', { numberOfKeys: 1, lua: INCR });
    const onTwo = defineScript<[key: string, by: number], number>(two, 'defineScriptSpecConn', { numberOfKeys: 1, lua: INCR });
    expect(await onOne(`${prefix}c2`, 1)).toBe(1);
    // Auto-pipelined: concurrent calls share a pipeline and still each get their own reply.
    expect((await Promise.all([1, 2, 3].map((by) => onTwo(`${prefix}c2`, by)))).sort()).toEqual([2, 4, 7]);
    // Each caller runs on its own connection: closing one leaves the other working.
    await one.quit();
    await expect(onOne(`${prefix}c2`, 1)).rejects.toThrow();
    expect(await onTwo(`${prefix}c2`, 1)).toBe(8);
  });

  it('refuses a name taken by another script or by an ioredis method', () => {
    defineScript<[key: string, by: number], number>(redis, 'defineScriptSpecTaken', { numberOfKeys: 1, lua: INCR });
    expect(() => defineScript<ScriptArg[], unknown>(redis, 'defineScriptSpecTaken', { numberOfKeys: 1, lua: ECHO })).toThrow(/different script/);
    expect(() => defineScript<ScriptArg[], unknown>(redis, 'defineScriptSpecTaken', { numberOfKeys: 2, lua: INCR })).toThrow(/different script/);
    expect(() => defineScript<ScriptArg[], unknown>(redis, 'get', { numberOfKeys: 1, lua: INCR })).toThrow(/ioredis method/);
  });

  it('reuses a command defined with defineCommand directly', async () => {
    const connection = connect();
    connection.defineCommand('defineScriptSpecLegacy', { numberOfKeys: 1, lua: INCR });
    const incr = defineScript<[key: string, by: number], number>(connection, 'defineScriptSpecLegacy', { numberOfKeys: 1, lua: INCR });
    expect(await incr(`${prefix}l`, 4)).toBe(4);
  });
});
