-- Delete every key of a parent room; with ARGV[2] == "1" only if nobody is counted in it.
-- KEYS: count, srooms (every other key is derived from the room's prefix: the same slot)
-- ARGV: key prefix of the room ("<prefix>room:{<id>}:"), only_if_empty
-- Returns 0 when someone is counted (nothing deleted), 1 when deleted, 2 when it had no state.
if ARGV[2] == '1' and tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then
  return 0
end
local base = ARGV[1]
local existed = redis.call('EXISTS', KEYS[1], KEYS[2]) > 0
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
if existed then
  return 1
end
return 2
