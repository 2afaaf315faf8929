/**
 * Everything that may refuse a barrage message before it gets a seq, in one round trip and all or
 * nothing: nothing is spent (tokens, slow-mode wait, repeat memory) unless the message passes.
 * A resent clientMsgId is answered first, from dedupe, so a retry is never refused or charged.
 *
 * KEYS: dedupe, mute, meta, moderators, slowMode, repeat, userBucket, roomBucket
 * ARGV: userId, isAdmin ('1'/'0'), userRate, userBurst, roomRate, roomBurst, repeatWindowMs
 * Returns {1} admitted, {2, json} already sequenced (the first event), {-1, code, retryAfterMs} refused.
 */
export const ADMISSION_SCRIPT = `
local prev = redis.call('GET', KEYS[1])
if prev then return {2, prev} end
local muted = redis.call('PTTL', KEYS[2])
if muted ~= -2 then return {-1, 'MUTED', math.max(muted, 0)} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local slowSec = tonumber(redis.call('HGET', KEYS[3], 'slowModeSec') or '0') or 0
local exempt = ARGV[2] == '1' or redis.call('HGET', KEYS[3], 'hostId') == ARGV[1] or redis.call('SISMEMBER', KEYS[4], ARGV[1]) == 1
if slowSec > 0 and not exempt then
  local wait = redis.call('PTTL', KEYS[5])
  if wait > 0 then return {-1, 'SLOW_MODE', wait} end
end
local repeatWait = redis.call('PTTL', KEYS[6])
if repeatWait > 0 then return {-1, 'RATE_LIMITED', repeatWait} end
local function bucket(key, rate, burst)
  local b = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = math.min(burst, (tonumber(b[1]) or burst) + math.max(0, now - (tonumber(b[2]) or now)) * rate / 1000)
  return tokens
end
local userRate, userBurst = tonumber(ARGV[3]), tonumber(ARGV[4])
local roomRate, roomBurst = tonumber(ARGV[5]), tonumber(ARGV[6])
local userTokens = bucket(KEYS[7], userRate, userBurst)
if userTokens < 1 then return {-1, 'RATE_LIMITED', math.ceil((1 - userTokens) * 1000 / userRate)} end
local roomTokens = bucket(KEYS[8], roomRate, roomBurst)
if roomTokens < 1 then return {-1, 'RATE_LIMITED', math.ceil((1 - roomTokens) * 1000 / roomRate)} end
redis.call('HSET', KEYS[7], 'tokens', tostring(userTokens - 1), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[7], math.ceil(userBurst * 1000 / userRate) + 1000)
redis.call('HSET', KEYS[8], 'tokens', tostring(roomTokens - 1), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[8], math.ceil(roomBurst * 1000 / roomRate) + 1000)
if slowSec > 0 and not exempt then redis.call('SET', KEYS[5], '1', 'PX', slowSec * 1000) end
redis.call('SET', KEYS[6], '1', 'PX', ARGV[7])
return {1}
`;
