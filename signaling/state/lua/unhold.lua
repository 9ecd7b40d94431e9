-- Take a waiting or accepted participant off the lists and uncount it.
-- KEYS: count, waiting, accepted, order, empty_rooms
-- ARGV: room, pid, now
local removed = redis.call('HDEL', KEYS[2], ARGV[2]) + redis.call('HDEL', KEYS[3], ARGV[2])
if removed == 0 then
  return 0
end
redis.call('ZREM', KEYS[4], ARGV[2])
if redis.call('DECR', KEYS[1]) <= 0 then
  redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1])
end
return 1
