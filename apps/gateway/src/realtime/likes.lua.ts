/**
 * Counts one room's likes, capping each user per second across every gateway.
 * KEYS: likes total, then one per-user-second window key per entry.  ARGV: cap, then one count per window.
 * Returns the number of likes counted.
 */
export const COUNT_LIKES_SCRIPT = `
local cap = tonumber(ARGV[1])
local counted = 0
for i = 2, #KEYS do
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  local allowed = math.min(tonumber(ARGV[i]), cap - used)
  if allowed > 0 then
    redis.call('INCRBY', KEYS[i], allowed)
    redis.call('EXPIRE', KEYS[i], 3)
    counted = counted + allowed
  end
end
if counted > 0 then redis.call('INCRBY', KEYS[1], counted) end
return counted
`;
