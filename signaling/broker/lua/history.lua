-- A channel's head and the publications after a position, if the history still holds them.
-- KEYS: meta, history
-- ARGV: epoch ("" = from the numbering's start), seq after which to read
-- Returns {epoch, seq, 1, publications...} or {epoch, seq, 0} when they are gone.
local head = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
if not head[1] then
  return {'', 0, 1}
end
local epoch, seq = head[1], tonumber(head[2])
if ARGV[1] ~= '' and ARGV[1] ~= epoch then
  return {epoch, seq, 0}
end
local after = 0
if ARGV[1] == epoch then
  after = tonumber(ARGV[2])
end
local missing = seq - after
if missing <= 0 then
  return {epoch, seq, 1}
end
if redis.call('LLEN', KEYS[2]) < missing then
  return {epoch, seq, 0}
end
local found = {epoch, seq, 1}
for _, entry in ipairs(redis.call('LRANGE', KEYS[2], -missing, -1)) do
  found[#found + 1] = entry
end
return found
