-- Count a participant and put it on the waiting list (LiveState.hold).
-- KEYS: count, waiting, accepted, order, seq, rooms, empty_rooms, + outbox
-- ARGV: room, pid, participant JSON, limit, + outbox
-- Emits participant.waiting (and session.started for the room's first arrival).
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 or redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then
  return 1
end
local limit = tonumber(ARGV[4])
if limit > 0 and tonumber(redis.call('GET', KEYS[1]) or '0') >= limit then
  return 0
end
redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[5]), ARGV[2])
redis.call('SADD', KEYS[6], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
outbox_open()
emit('participant.waiting', outbox_session(true), participant_event(cjson.decode(ARGV[3])))
return 1
