-- Join a participant to a signaling room (LiveState.join).
-- KEYS: count, closes_at, roles, participants, srooms, order, seq, + outbox
-- ARGV: sroom, pid, participant JSON, limit, closes_at or "", counted "1"/"0",
--       record limit (0 = none), + outbox
-- Emits session.started for the room's first join, participant.joined unless the
-- participant is present already (a resumed session, or a breakout move).
local existing = redis.call('HGET', KEYS[4], ARGV[2])
local record_limit = tonumber(ARGV[7])
if not existing and record_limit > 0 and redis.call('HLEN', KEYS[4]) >= record_limit then
  return {0}
end
local present = false
if existing then
  local left_at = cjson.decode(existing)['left_at']
  present = left_at == nil or left_at == cjson.null
end
if ARGV[6] == '0' and not present then
  local count = tonumber(redis.call('GET', KEYS[1]) or '0')
  local limit = tonumber(ARGV[4])
  if limit > 0 and count >= limit then
    return {0}
  end
  redis.call('INCR', KEYS[1])
end
outbox_open()
local session = outbox_session(true)
-- The session's first join fixes closes_at ('' = no limit) until the room's keys go.
redis.call('SET', KEYS[2], ARGV[5], 'NX')
local participant = cjson.decode(ARGV[3])
local role = redis.call('HGET', KEYS[3], ARGV[2])
if role then
  participant['role'] = role
else
  redis.call('HSET', KEYS[3], ARGV[2], participant['role'])
end
participant['left_at'] = nil
local seq = redis.call('INCR', KEYS[7])
participant['seq'] = seq
local stored = cjson.encode(participant)
redis.call('HSET', KEYS[4], ARGV[2], stored)
redis.call('ZADD', KEYS[6], 'NX', seq, ARGV[2])
redis.call('SADD', KEYS[5], ARGV[1])
if not present and not present_elsewhere(ARGV[2], ARGV[1]) then
  local data = participant_event(participant)
  data['joined_at'] = participant['joined_at']
  emit('participant.joined', session, data)
end
return {1, stored, redis.call('GET', KEYS[2]) or ''}
