-- Mark a present participant gone if the record belongs to the given session (LiveState.leave).
-- KEYS: count, participants
-- ARGV: pid, left_at, runner
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if not existing then
  return 0
end
local participant = cjson.decode(existing)
local gone = participant['left_at'] ~= nil and participant['left_at'] ~= cjson.null
if gone or participant['runner'] ~= ARGV[3] then
  return 0
end
participant['left_at'] = ARGV[2]
participant['hand_is_up'] = false
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(participant))
redis.call('DECR', KEYS[1])
return 1
