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
local function room_log_sequence(seqKey, logKey, recentKey, maxlen, body, etype, recentMax, ts)
  local seq = redis.call('INCR', seqKey)
  local head = '{"seq":' .. seq .. ',"ts":' .. ts
  local json
  if body == '{}' then json = head .. '}' else json = head .. ',' .. string.sub(body, 2) end
  redis.call('XADD', logKey, 'MAXLEN', '~', maxlen, seq .. '-0', 'e', json)
  if etype == 'barrage' then
    redis.call('LPUSH', recentKey, json)
    redis.call('LTRIM', recentKey, 0, tonumber(recentMax) - 1)
  end
  return json
end
local function room_log_now()
  local t = redis.call('TIME')
  return t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
end
-- nil while the room's meta says live, else the refusal: ROOM_NOT_FOUND or ROOM_ENDED.
local function room_log_not_live(metaKey)
  local live = redis.call('HGET', metaKey, 'live')
  if not live then return 'ROOM_NOT_FOUND' end
  if live ~= '1' then return 'ROOM_ENDED' end
  return nil
end
local function room_log_append(seqKey, logKey, recentKey, channel, maxlen, body, etype, recentMax)
  local json = room_log_sequence(seqKey, logKey, recentKey, maxlen, body, etype, recentMax, room_log_now())
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
  local refused = room_log_not_live(KEYS[4])
  if refused then return {-1, refused} end
end
local json = room_log_append(KEYS[1], KEYS[2], KEYS[3], ARGV[3], ARGV[4], ARGV[1], ARGV[2], ARGV[7])
if ARGV[5] ~= '0' then redis.call('SET', KEYS[5], json, 'EX', ARGV[5]) end
return {1, json}
`;

/**
 * Many events of one room in one step (the gift relay's batch): each is sequenced like APPEND_SCRIPT's
 * (a dedupe key already set returns the first event instead), and the new ones go to the gateways as
 * ONE message, their JSON texts joined by newlines (JSON.stringify never leaves a raw newline in one),
 * so a busy room costs one PUBLISH and one pub/sub message per batch instead of one per event.
 *
 * KEYS: seq, log, recent, then one dedupe key per event (the seq key where an event has none)
 * ARGV: channel, maxlen, dedupeTtlSec, recentMax, then per event: body, type, deduped ('1'/'0')
 * Returns per event {1, json} appended or {0, json} duplicate, in order.
 */
export const APPEND_MANY_SCRIPT = `${APPEND_FUNCTION}
local ts = room_log_now()
local out = {}
local fresh = {}
for i = 1, #KEYS - 3 do
  local body, etype, deduped = ARGV[3 * i + 2], ARGV[3 * i + 3], ARGV[3 * i + 4] == '1'
  local prev = deduped and redis.call('GET', KEYS[3 + i])
  if prev then
    out[i] = {0, prev}
  else
    local json = room_log_sequence(KEYS[1], KEYS[2], KEYS[3], ARGV[2], body, etype, ARGV[4], ts)
    if deduped then redis.call('SET', KEYS[3 + i], json, 'EX', ARGV[3]) end
    out[i] = {1, json}
    fresh[#fresh + 1] = json
  end
end
if #fresh > 0 then redis.call('PUBLISH', ARGV[1], table.concat(fresh, '\\n')) end
return out
`;
