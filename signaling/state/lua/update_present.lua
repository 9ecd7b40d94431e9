-- Change fields of a present participant; a role is also stored room-wide.
-- KEYS: participants, roles
-- ARGV: pid, JSON object of fields
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then
  return false
end
local participant = cjson.decode(existing)
if participant['left_at'] ~= nil and participant['left_at'] ~= cjson.null then
  return false
end
for field, value in pairs(cjson.decode(ARGV[2])) do
  participant[field] = value
  if field == 'role' then
    redis.call('HSET', KEYS[2], ARGV[1], value)
  end
end
local stored = cjson.encode(participant)
redis.call('HSET', KEYS[1], ARGV[1], stored)
return stored
