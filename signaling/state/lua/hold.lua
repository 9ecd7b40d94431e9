-- Count a participant and put it on the waiting list (LiveState.hold).
-- KEYS: count, waiting, accepted, order, seq, + outbox
-- ARGV: pid, participant JSON, limit, + outbox
-- Emits participant.waiting (and session.started for the room's first arrival).
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 or redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then
  return 1
end
local limit = tonumber(ARGV[3])
if limit > 0 and tonumber(redis.call('GET', KEYS[1]) or '0') >= limit then
  return 0
end
redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[5]), ARGV[1])
outbox_open()
emit('participant.waiting', outbox_session(true), participant_event(cjson.decode(ARGV[2])))
return 1
