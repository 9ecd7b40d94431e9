-- Move a waiting participant to the accepted list; exactly one caller wins.
-- KEYS: waiting, accepted
-- ARGV: pid
local held = redis.call('HGET', KEYS[1], ARGV[1])
if not held then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], held)
return 1
