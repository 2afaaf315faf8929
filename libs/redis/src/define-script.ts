import type { Redis } from 'ioredis';

/** What a Lua script takes: its keys, then its ARGV. */
export type ScriptArg = string | number;

/** A script bound to one connection: resolves to the script's reply. */
export type ScriptCaller<Args extends ScriptArg[], Reply> = (...args: Args) => Promise<Reply>;

export interface ScriptSpec {
  lua: string;
  /** How many of the arguments are KEYS. Leave it out when it varies: each call then passes it first. */
  numberOfKeys?: number;
}

/** The scripts defined through here, per connection: one name, one script. */
const defined = new WeakMap<Redis, Map<string, ScriptSpec>>();

/**
 * Defines `name` as a custom command on `redis` (once per connection; defining the same script again
 * reuses it) and returns its method bound to `redis`. Calls are the ioredis command itself: EVALSHA
 * with the EVAL fallback, auto-pipelined when the connection is. `Reply` is what the script returns,
 * as ioredis converts it (integers to numbers, nil to null, tables to arrays); it is not checked.
 *
 * Throws when `name` is taken on this connection: by another script, or by an ioredis method.
 */
export function defineScript<Args extends ScriptArg[], Reply>(
  redis: Redis,
  name: string,
  spec: ScriptSpec & { numberOfKeys: number },
): ScriptCaller<Args, Reply>;
/** Variadic keys: every call passes the number of keys first, then the keys, then the ARGV. */
export function defineScript<Args extends [numberOfKeys: number, ...keysThenArgs: ScriptArg[]], Reply>(
  redis: Redis,
  name: string,
  spec: ScriptSpec & { numberOfKeys?: undefined },
): ScriptCaller<Args, Reply>;
export function defineScript<Args extends ScriptArg[], Reply>(redis: Redis, name: string, spec: ScriptSpec): ScriptCaller<Args, Reply> {
  let scripts = defined.get(redis);
  if (!scripts) defined.set(redis, (scripts = new Map()));
  const previous = scripts.get(name);
  if (previous) {
    if (previous.lua !== spec.lua || previous.numberOfKeys !== spec.numberOfKeys) {
      throw new Error(`defineScript: "${name}" is already defined on this connection as a different script`);
    }
  } else {
    // Not through here, but maybe by defineCommand directly: that one is kept (as before this helper).
    if (name in redis && !Object.hasOwn(redis.scriptsSet, name)) throw new Error(`defineScript: "${name}" is an ioredis method`);
    if (!(name in redis)) redis.defineCommand(name, { lua: spec.lua, numberOfKeys: spec.numberOfKeys });
    scripts.set(name, { lua: spec.lua, numberOfKeys: spec.numberOfKeys });
  }
  // The one cast: ioredis adds the command as an untyped own property. A bound function costs no
  // extra JS frame per call.
  const command = Reflect.get(redis, name) as ScriptCaller<Args, Reply>;
  return command.bind(redis);
}
