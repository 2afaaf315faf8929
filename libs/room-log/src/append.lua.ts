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
export const APPEND_SCRIPT = `
if ARGV[5] ~= '0' then
  local prev = redis.call('GET', KEYS[5])
  if prev then return {0, prev} end
end
if ARGV[6] == '1' then
  local live = redis.call('HGET', KEYS[4], 'live')
  if not live then return {-1, 'ROOM_NOT_FOUND'} end
  if live ~= '1' then return {-1, 'ROOM_ENDED'} end
end
local seq = redis.call('INCR', KEYS[1])
local t = redis.call('TIME')
local ts = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
local head = '{"seq":' .. seq .. ',"ts":' .. ts
local body = ARGV[1]
local json
if body == '{}' then json = head .. '}' else json = head .. ',' .. string.sub(body, 2) end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], seq .. '-0', 'e', json)
if ARGV[2] == 'barrage' then
  redis.call('LPUSH', KEYS[3], json)
  redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[7]) - 1)
end
redis.call('PUBLISH', ARGV[3], json)
if ARGV[5] ~= '0' then redis.call('SET', KEYS[5], json, 'EX', ARGV[5]) end
return {1, json}
`;
