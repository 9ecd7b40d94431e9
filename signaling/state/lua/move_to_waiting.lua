-- A present participant leaves its signaling room for the waiting list, still counted.
-- KEYS: participants, waiting, order, seq
-- ARGV: pid, left_at, runner
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then
  return false
end
local participant = cjson.decode(existing)
local gone = participant['left_at'] ~= nil and participant['left_at'] ~= cjson.null
if gone or participant['runner'] ~= ARGV[3] then
  return false
end
participant['hand_is_up'] = false
local held = cjson.encode(participant)
participant['left_at'] = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(participant))
redis.call('HSET', KEYS[2], ARGV[1], held)
redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), ARGV[1])
return held
