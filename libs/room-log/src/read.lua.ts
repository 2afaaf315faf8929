/**
 * Reads of the room log that must see the seq and the events at the same instant (a seq newer than the
 * events read would claim events that are not there; an older one would make a join deliver one twice).
 * Scripts instead of MULTI: a script is one command, so ioredis auto-pipelining sends the reads of many
 * joins in one write (a MULTI is written on its own, which under a reconnect storm cost a syscall each).
 *
 * HISTORY_SCRIPT  KEYS: seq, log          ARGV: first stream id to read ("<afterSeq + 1>-0")
 * RECENT_SCRIPT   KEYS: seq, recent list  ARGV: how many
 * Both return { seq (string or false), entries }.
 */
export const HISTORY_SCRIPT = `
return { redis.call('GET', KEYS[1]), redis.call('XRANGE', KEYS[2], ARGV[1], '+') }
`;

export const RECENT_SCRIPT = `
return { redis.call('GET', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1) }
`;
