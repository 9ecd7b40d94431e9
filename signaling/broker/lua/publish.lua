-- Number, keep and publish one publication in one step (RedisBroker.publish); keep.lua goes
-- ahead. Returns its number, 0 when a retry found it published, -1 when its keep refused it.
-- KEYS: meta (hash: epoch, seq), history (list of wire forms), then keep's keys if it keeps
-- ARGV: channel (sharded, on the keys' slot), body (origin · number · data), epoch for a
--       numbering that starts here, history size, history ttl (s), meta ttl (s),
--       "1" when retrying after an unclear failure, then keep's arguments if it keeps
if ARGV[7] == '1' then
  -- the first attempt may have gone through: look for its origin and number in the history
  local id = string.sub(ARGV[2], 1, 16)
  local entries = redis.call('LRANGE', KEYS[2], 0, -1)
  for i = #entries, 1, -1 do
    local space = string.find(entries[i], ' ', 17, true)
    if space and string.sub(entries[i], space + 1, space + 16) == id then
      return 0
    end
  end
end
if #KEYS > 2 and not keep(3, 8) then
  return -1
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if seq == 1 or not epoch then
  epoch = ARGV[3]
  seq = 1
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 1)
  redis.call('DEL', KEYS[2])
end
local message = epoch .. seq .. ' ' .. ARGV[2]
redis.call('RPUSH', KEYS[2], message)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('SPUBLISH', ARGV[1], message)
return seq
