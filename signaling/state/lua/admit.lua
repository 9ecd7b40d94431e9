-- An accepted participant leaves the waiting lists to join (it stays counted).
-- KEYS: accepted, order
-- ARGV: pid
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
