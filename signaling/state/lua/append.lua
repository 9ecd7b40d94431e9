-- Append to a per-room list, keeping its newest items (LiveState.append).
-- KEYS: list, lists (the room's list names)
-- ARGV: item, limit (0 = keep nothing), the list's name
redis.call('RPUSH', KEYS[1], ARGV[1])
local limit = tonumber(ARGV[2])
if limit > 0 then
  redis.call('LTRIM', KEYS[1], -limit, -1)
else
  redis.call('DEL', KEYS[1])
end
redis.call('SADD', KEYS[2], ARGV[3])
return 1
