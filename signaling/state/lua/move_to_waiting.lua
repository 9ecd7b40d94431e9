-- A present participant leaves its signaling room for the waiting list, still counted.
-- KEYS: participants, waiting, order, seq, + outbox
-- ARGV: pid, left_at, runner, + outbox
-- Emits participant.left (sent_to_waiting_room), then participant.waiting.
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
outbox_open()
local session = outbox_session(false)
local data = participant_event(participant)
data['left_at'] = ARGV[2]
data['leave_reason'] = 'sent_to_waiting_room'
emit('participant.left', session, data)
emit('participant.waiting', session, participant_event(participant))
return held
