/**
 * Token bucket in one round trip. Also answers a resent clientMsgId first, so that a retry of a
 * message already sequenced never spends a token.
 *
 * KEYS: bucket, dedupe   ARGV: ratePerSec, burst
 * Returns {1, 0} allowed, {0, retryAfterMs} limited, {2, json} already sequenced (json of the event).
 */
export const TOKEN_BUCKET_SCRIPT = `
local prev = redis.call('GET', KEYS[2])
if prev then return {2, prev} end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
if tokens < 1 then
  return {0, math.ceil((1 - tokens) * 1000 / rate)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {1, 0}
`;
