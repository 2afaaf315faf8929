import { APPEND_FUNCTION } from '#room-log';

/**
 * Co-host session state lives in Redis, in the room's hash slot, and every change is one Lua
 * script: the checks (seat limit, one open session per guest, who may do what) and the writes
 * cannot interleave with another replica's, and a seat change appends its `cohost` room event in
 * the same atomic step. Replies: {'OK', ...HGETALL} changed, {'NOOP', ...HGETALL} nothing to do
 * (timers and the sweep), {'ERR', code, message}.
 */

/** KEYS: meta, open, session, banned. ARGV: sessionId, roomId, kind (invite|request), actorId, targetId, now, pendingTtlMs. */
export const CREATE_SCRIPT = `
local hostId = redis.call('HGET', KEYS[1], 'hostId')
if not hostId then return {'ERR', 'ROOM_NOT_FOUND', 'room does not exist'} end
if redis.call('HGET', KEYS[1], 'live') ~= '1' then return {'ERR', 'ROOM_ENDED', 'the room has ended'} end
local guestId, initiator
if ARGV[3] == 'invite' then
  if ARGV[4] ~= hostId then return {'ERR', 'FORBIDDEN', 'only the host may invite a co-host'} end
  guestId = ARGV[5]
  initiator = 'host'
  if guestId == hostId then return {'ERR', 'INVALID_ARGUMENT', 'the host cannot invite themselves'} end
else
  if ARGV[4] == hostId then return {'ERR', 'INVALID_ARGUMENT', 'the host cannot request a seat in their own room'} end
  guestId = ARGV[4]
  initiator = 'guest'
end
if redis.call('SISMEMBER', KEYS[4], guestId) == 1 then return {'ERR', 'BANNED', 'the guest is banned from this room'} end
if redis.call('HEXISTS', KEYS[2], guestId) == 1 then
  return {'ERR', 'INVALID_STATE', 'the guest already has an open co-host session in this room'}
end
local now = tonumber(ARGV[6])
redis.call('HSET', KEYS[3], 'id', ARGV[1], 'roomId', ARGV[2], 'hostId', hostId, 'guestId', guestId,
  'initiator', initiator, 'state', 'pending', 'createdAt', now, 'expiresAt', now + tonumber(ARGV[7]))
redis.call('HSET', KEYS[2], guestId, ARGV[1])
local reply = redis.call('HGETALL', KEYS[3])
table.insert(reply, 1, 'OK')
return reply
`;

/**
 * KEYS: session, open, seats, meta, banned, seq, log, recent
 * ARGV: op, actorId, now, maxSeats, channel, maxlen, endedTtlSec, offlineSince, graceMs, pendingTtlMs
 * ops by a party: accept, reject, cancel, end. ops by the service: timeout, disconnect, kick,
 * room_ended, offline, online.
 */
export const TRANSITION_SCRIPT = `${APPEND_FUNCTION}
local op, actor, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 0 then return {'ERR', 'SESSION_NOT_FOUND', 'no such co-host session'} end
local s = {}
local flat = redis.call('HGETALL', KEYS[1])
for i = 1, #flat, 2 do s[flat[i]] = flat[i + 1] end

local function reply(status)
  local r = redis.call('HGETALL', KEYS[1])
  table.insert(r, 1, status)
  return r
end

local function seat_event(action)
  if redis.call('HGET', KEYS[4], 'live') ~= '1' then return end
  local seats = redis.call('ZRANGE', KEYS[3], 0, -1)
  local body = cjson.encode({type = 'cohost', action = action, userId = s.guestId, seats = seats})
  -- cjson encodes an empty table as {}; the protocol wants an array.
  body = string.gsub(body, '"seats":{}', '"seats":[]')
  room_log_append(KEYS[6], KEYS[7], KEYS[8], ARGV[5], ARGV[6], body, 'cohost', 0)
end

local function finish(reason)
  local wasActive = s.state == 'active'
  redis.call('HSET', KEYS[1], 'state', 'ended', 'endReason', reason)
  redis.call('HDEL', KEYS[1], 'expiresAt', 'offlineSince')
  if redis.call('HGET', KEYS[2], s.guestId) == s.id then redis.call('HDEL', KEYS[2], s.guestId) end
  if wasActive then
    redis.call('ZREM', KEYS[3], s.guestId)
    if reason ~= 'room_ended' then seat_event('left') end
  end
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[7]))
  return reply('OK')
end

local system = op == 'timeout' or op == 'disconnect' or op == 'kick' or op == 'room_ended' or op == 'offline' or op == 'online'
if system then
  if s.state == 'ended' then return reply('NOOP') end
  if op == 'timeout' then
    if s.state ~= 'pending' or now < tonumber(s.expiresAt) then return reply('NOOP') end
    return finish('timeout')
  elseif op == 'disconnect' then
    if s.state ~= 'active' or s.offlineSince ~= ARGV[8] then return reply('NOOP') end
    return finish('disconnected')
  elseif op == 'kick' then
    return finish('kicked')
  elseif op == 'room_ended' then
    return finish('room_ended')
  elseif op == 'offline' then
    if s.state ~= 'active' or s.offlineSince then return reply('NOOP') end
    redis.call('HSET', KEYS[1], 'offlineSince', ARGV[8], 'expiresAt', tonumber(ARGV[8]) + tonumber(ARGV[9]))
    return reply('OK')
  else
    if not s.offlineSince then return reply('NOOP') end
    redis.call('HDEL', KEYS[1], 'offlineSince', 'expiresAt')
    return reply('OK')
  end
end

local isHost, isGuest = actor == s.hostId, actor == s.guestId
if not isHost and not isGuest then return {'ERR', 'FORBIDDEN', 'not a party to this co-host session'} end
local isInitiator = (s.initiator == 'host' and isHost) or (s.initiator == 'guest' and isGuest)

if op == 'end' then
  if s.state ~= 'active' then return {'ERR', 'INVALID_STATE', 'only an active session can be ended (cancel or reject a pending one)'} end
  return finish('ended')
end
if s.state ~= 'pending' then return {'ERR', 'INVALID_STATE', 'the session is ' .. s.state} end
if op == 'cancel' then
  if not isInitiator then return {'ERR', 'FORBIDDEN', 'only the side that asked may cancel; the other side rejects'} end
  return finish('cancelled')
end
if isInitiator then return {'ERR', 'FORBIDDEN', 'the other side must answer this session'} end
if op == 'reject' then return finish('rejected') end
-- accept
if redis.call('HGET', KEYS[4], 'live') ~= '1' then return {'ERR', 'ROOM_ENDED', 'the room has ended'} end
if redis.call('SISMEMBER', KEYS[5], s.guestId) == 1 then return {'ERR', 'BANNED', 'the guest is banned from this room'} end
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[4]) then return {'ERR', 'SEAT_LIMIT', 'every co-host seat is taken'} end
redis.call('HSET', KEYS[1], 'state', 'active')
redis.call('HDEL', KEYS[1], 'expiresAt')
redis.call('ZADD', KEYS[3], now, s.guestId)
seat_event('joined')
return reply('OK')
`;
