-- Delete every key of a parent room; with ARGV[3] == "1" only if nobody is counted in it.
-- KEYS: count, srooms, rooms, empty_rooms
-- ARGV: room, key prefix of the room ("<prefix>room:{<id>}:"), only_if_empty
if ARGV[3] == '1' and tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then
  redis.call('ZREM', KEYS[4], ARGV[1])
  return 0
end
local base = ARGV[2]
for _, sroom in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local sbase = base .. 'sroom:' .. sroom .. ':'
  redis.call('DEL', sbase .. 'participants', sbase .. 'order')
end
for _, name in ipairs(redis.call('SMEMBERS', base .. 'lists')) do
  redis.call('DEL', base .. 'list:' .. name)
end
for _, name in ipairs(redis.call('SMEMBERS', base .. 'maps')) do
  redis.call('DEL', base .. 'map:' .. name)
end
for _, name in ipairs({'count', 'closes_at', 'roles', 'flags', 'bans', 'srooms', 'seq', 'breakout',
                       'lists', 'maps', 'values', 'waiting', 'accepted', 'waiting-order'}) do
  redis.call('DEL', base .. name)
end
redis.call('ZREM', KEYS[4], ARGV[1])
return redis.call('SREM', KEYS[3], ARGV[1])
