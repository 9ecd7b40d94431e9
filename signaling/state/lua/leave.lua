-- Mark a present participant gone if the record belongs to the given session (LiveState.leave).
-- KEYS: count, participants, empty_rooms, + outbox
-- ARGV: room, pid, left_at, runner, now (unix seconds), leave reason, sroom, + outbox
-- Emits participant.left unless the participant is present in another signaling room.
local existing = redis.call('HGET', KEYS[2], ARGV[2])
if not existing then
  return 0
end
local participant = cjson.decode(existing)
local gone = participant['left_at'] ~= nil and participant['left_at'] ~= cjson.null
if gone or participant['runner'] ~= ARGV[4] then
  return 0
end
participant['left_at'] = ARGV[3]
participant['hand_is_up'] = false
redis.call('HSET', KEYS[2], ARGV[2], cjson.encode(participant))
if redis.call('DECR', KEYS[1]) <= 0 then
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
end
outbox_open()
if not present_elsewhere(ARGV[2], ARGV[7]) then
  local data = participant_event(participant)
  data['left_at'] = ARGV[3]
  data['leave_reason'] = ARGV[6]
  emit('participant.left', outbox_session(false), data)
end
return 1
