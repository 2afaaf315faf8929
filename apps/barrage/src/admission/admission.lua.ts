import { APPEND_FUNCTION } from '#room-log';

/**
 * A barrage message from admission to its seq in one round trip, all or nothing: nothing is spent
 * (tokens, slow-mode wait, repeat memory) unless the message passes, and a message that passes is
 * sequenced into the room log in the same atomic step (no window in which the room could end
 * between the two). A resent clientMsgId is answered first, from dedupe, so a retry is never refused
 * or charged. A blocked message (term filter, judged by the caller) answers BLOCKED once the room,
 * mute and slow mode have been checked, and spends nothing: PROTOCOL §4 says blocked terms answer
 * BLOCKED, so the tenth blocked spelling in a second must not turn into RATE_LIMITED. Repeats of the
 * same text are judged only with a window (repeatWindowMs > 0).
 *
 * KEYS: dedupe, mute, meta, moderators, slowMode, repeat, userBucket, roomBucket, seq, log, recent
 * ARGV: userId, isAdmin ('1'/'0'), userRate, userBurst, roomRate, roomBurst, repeatWindowMs,
 *       blocked ('1'/'0'), body (the draft's JSON), channel, maxlen, dedupeTtlSec, recentMax
 * Returns {1, json} sequenced, {2, json} already sequenced (the first event), {-1, code, retryAfterMs} refused.
 */
export const ADMIT_AND_APPEND_SCRIPT = `${APPEND_FUNCTION}
local prev = redis.call('GET', KEYS[1])
if prev then return {2, prev} end
local notLive = room_log_not_live(KEYS[3])
if notLive then return {-1, notLive, 0} end
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
if ARGV[8] == '1' then return {-1, 'BLOCKED', 0} end
local repeatMs = tonumber(ARGV[7])
if repeatMs > 0 then
  local repeatWait = redis.call('PTTL', KEYS[6])
  if repeatWait > 0 then return {-1, 'RATE_LIMITED', repeatWait} end
end
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
if repeatMs > 0 then redis.call('SET', KEYS[6], '1', 'PX', repeatMs) end
local json = room_log_append(KEYS[9], KEYS[10], KEYS[11], ARGV[10], ARGV[11], ARGV[9], 'barrage', ARGV[13])
redis.call('SET', KEYS[1], json, 'EX', ARGV[12])
return {1, json}
`;
