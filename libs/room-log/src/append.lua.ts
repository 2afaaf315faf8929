/**
 * Atomically sequences one room event: optional dedupe, optional "room must be live" check, INCR of
 * the room's seq, XADD to the room's history stream (entry id = `${seq}-0`, so history is read by seq),
 * the recent-barrage list for snapshots, and PUBLISH to the gateways. Redis runs scripts one at a time,
 * so the publish order of a room is its seq order, whichever producer process appended.
 *
 * KEYS: seq, log, recent, meta, dedupe
 * ARGV: body (JSON object without seq/ts), type, channel, maxlen, dedupeTtlSec ('0' = none),
 *       requireLive ('1'/'0'), recentMax
 * Returns {1, json} appended, {0, json} duplicate (the first event's JSON), {-1, code} refused.
 */
/**
 * The sequencing step as a Lua function, for scripts of other features that must change their own
 * state and append the room event in one atomic step (co-host seats). The caller declares every key.
 */
export const APPEND_FUNCTION = `
local function room_log_append(seqKey, logKey, recentKey, channel, maxlen, body, etype, recentMax)
  local seq = redis.call('INCR', seqKey)
  local t = redis.call('TIME')
  local ts = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
  local head = '{"seq":' .. seq .. ',"ts":' .. ts
  local json
  if body == '{}' then json = head .. '}' else json = head .. ',' .. string.sub(body, 2) end
  redis.call('XADD', logKey, 'MAXLEN', '~', maxlen, seq .. '-0', 'e', json)
  if etype == 'barrage' then
    redis.call('LPUSH', recentKey, json)
    redis.call('LTRIM', recentKey, 0, tonumber(recentMax) - 1)
  end
  redis.call('PUBLISH', channel, json)
  return json
end
`;

export const APPEND_SCRIPT = `${APPEND_FUNCTION}
if ARGV[5] ~= '0' then
  local prev = redis.call('GET', KEYS[5])
  if prev then return {0, prev} end
end
if ARGV[6] == '1' then
  local live = redis.call('HGET', KEYS[4], 'live')
  if not live then return {-1, 'ROOM_NOT_FOUND'} end
  if live ~= '1' then return {-1, 'ROOM_ENDED'} end
end
local json = room_log_append(KEYS[1], KEYS[2], KEYS[3], ARGV[3], ARGV[4], ARGV[1], ARGV[2], ARGV[7])
if ARGV[5] ~= '0' then redis.call('SET', KEYS[5], json, 'EX', ARGV[5]) end
return {1, json}
`;
