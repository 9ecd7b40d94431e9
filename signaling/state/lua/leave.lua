-- Mark a present participant gone if the record belongs to the given session (LiveState.leave).
-- KEYS: count, participants, + outbox
-- ARGV: pid, left_at, runner, leave reason, sroom, + outbox
-- Emits participant.left unless the participant is present in another signaling room.
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
outbox_open()
if not present_elsewhere(ARGV[1], ARGV[5]) then
  local data = participant_event(participant)
  data['left_at'] = ARGV[2]
  data['leave_reason'] = ARGV[4]
  emit('participant.left', outbox_session(false), data)
end
return 1
