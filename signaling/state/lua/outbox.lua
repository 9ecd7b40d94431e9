-- The webhook outbox (signaling/webhooks/events.py), prepended to every script that emits.
-- The emitting script's last KEY is the room's outbox (under the room's hash tag, so the
-- script touches one slot), its last four ARGV the room, the room's key prefix, 32 random hex
-- digits and the time. The index of outboxes is a hint marked by the caller (outbox_redis.py).
-- outbox_open() once, then emit(name, session, data) per event: each event gets the next
-- number of the room's outbox and an id drawn from the random digits.
local outbox = {}
local function outbox_open()
  local k, a = #KEYS, #ARGV
  outbox = {box = KEYS[k], room = ARGV[a - 3], base = ARGV[a - 2],
            stamp = ARGV[a - 1], at = ARGV[a], drawn = 0}
end
local function outbox_id()
  outbox.drawn = outbox.drawn + 1
  local h = string.sub(outbox.stamp, 1, 30) .. string.format('%02x', outbox.drawn)
  return string.sub(h, 1, 8) .. '-' .. string.sub(h, 9, 12) .. '-' .. string.sub(h, 13, 16)
    .. '-' .. string.sub(h, 17, 20) .. '-' .. string.sub(h, 21, 32)
end
local function emit(name, session, data)
  data['room_id'] = outbox.room
  data['session_id'] = session or cjson.null
  local n = redis.call('INCR', outbox.box .. ':n')
  redis.call('ZADD', outbox.box, n, cjson.encode(
    {n = n, id = outbox_id(), event = name, timestamp = outbox.at, data = data}))
  local over = redis.call('ZCARD', outbox.box) - OUTBOX_LIMIT
  if over > 0 then
    redis.call('ZREMRANGEBYRANK', outbox.box, 0, over - 1)
    redis.call('SET', outbox.box .. ':dropped', n - OUTBOX_LIMIT)
  end
end
-- The room's meeting session; ``start``: begin one (session.started) if none runs.
local function outbox_session(start)
  local session = redis.call('GET', outbox.base .. 'session')
  if not session and start then
    session = outbox_id()
    redis.call('SET', outbox.base .. 'session', session)
    emit('session.started', session, {started_at = outbox.at})
  end
  return session
end
local function participant_event(p)
  return {participant_id = p['id'], display_name = p['display_name'], kind = p['kind'],
          role = p['role'], user_id = p['user_id'] or cjson.null}
end
-- Whether ``pid`` is present in a signaling room of the parent other than ``sroom`` (a
-- breakout move: the participant neither joined nor left the meeting).
local function present_elsewhere(pid, sroom)
  for _, other in ipairs(redis.call('SMEMBERS', outbox.base .. 'srooms')) do
    if other ~= sroom then
      local raw = redis.call('HGET', outbox.base .. 'sroom:' .. other .. ':participants', pid)
      if raw then
        local left_at = cjson.decode(raw)['left_at']
        if left_at == nil or left_at == cjson.null then
          return true
        end
      end
    end
  end
  return false
end
