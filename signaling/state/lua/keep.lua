-- keep(k, a): append one item to some of a room's lists unless a room flag is off; false when
-- refused (nothing kept). LiveState.keep runs it alone; the broker's publish.lua runs it in
-- the step that publishes, so a publication and its keeping are one change.
-- KEYS[k]: the room's flags, KEYS[k+1]: the room's list names, KEYS[k+2]...: the lists
-- ARGV[a]: the flag ('' for none), ARGV[a+1]: item, ARGV[a+2]: limit (0 = keep nothing),
-- ARGV[a+3]...: the lists' names, in the order of their keys
local function keep(k, a)
  if ARGV[a] ~= '' and redis.call('HGET', KEYS[k], ARGV[a]) == '0' then
    return false
  end
  local limit = tonumber(ARGV[a + 2])
  for i = k + 2, #KEYS do
    if limit > 0 then
      redis.call('RPUSH', KEYS[i], ARGV[a + 1])
      redis.call('LTRIM', KEYS[i], -limit, -1)
    else
      redis.call('DEL', KEYS[i])
    end
    redis.call('SADD', KEYS[k + 1], ARGV[a + 3 + (i - (k + 2))])
  end
  return true
end
