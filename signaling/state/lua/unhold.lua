-- Take a waiting or accepted participant off the lists and uncount it.
-- KEYS: count, waiting, accepted, order
-- ARGV: pid
local removed = redis.call('HDEL', KEYS[2], ARGV[1]) + redis.call('HDEL', KEYS[3], ARGV[1])
if removed == 0 then
  return 0
end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('DECR', KEYS[1])
return 1
