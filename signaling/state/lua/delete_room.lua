-- Delete every key of a parent room, as ARGV[2] says: 'empty' only if nobody is counted in
-- it, 'ended' only if a meeting session runs, 'room_deleted' unconditionally.
-- KEYS: count, srooms, + outbox (every other key is derived from the room's prefix: the same
-- slot)
-- ARGV: key prefix of the room ("<prefix>room:{<id>}:"), mode, the list to keep ('' for
-- none), + outbox
-- Returns 0 when nothing was deleted for the mode's condition, 1 when deleted, 2 when it had
-- no state.
-- Emits session.ended (reason: the mode); 'ended' and 'room_deleted' first participant.left
-- (leave reason: the mode) for everyone present, then chat.kept with the kept list's items if
-- it has any; 'room_deleted' room.deleted last.
local mode = ARGV[2]
if mode == 'empty' and tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then
  return 0
end
local base = ARGV[1]
outbox_open()
local session = outbox_session(false)
if mode == 'ended' and not session then
  return 0
end
local existed = redis.call('EXISTS', KEYS[1], KEYS[2]) > 0
if session then
  for _, sroom in ipairs(mode ~= 'empty' and redis.call('SMEMBERS', KEYS[2]) or {}) do
    for _, raw in ipairs(redis.call('HVALS', base .. 'sroom:' .. sroom .. ':participants')) do
      local p = cjson.decode(raw)
      if p['left_at'] == nil or p['left_at'] == cjson.null then
        local data = participant_event(p)
        data['left_at'] = outbox.at
        data['leave_reason'] = mode
        emit('participant.left', session, data)
      end
    end
  end
  local kept = ARGV[3] ~= '' and redis.call('LRANGE', base .. 'list:' .. ARGV[3], 0, -1) or {}
  if #kept > 0 then
    emit('chat.kept', session, {messages = kept})
  end
  emit('session.ended', session, {ended_at = outbox.at, reason = mode})
end
if mode == 'room_deleted' then
  emit('room.deleted', session, {deleted_at = outbox.at})
end
for _, sroom in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local sbase = base .. 'sroom:' .. sroom .. ':'
  redis.call('DEL', sbase .. 'participants', sbase .. 'order')
end
for _, name in ipairs(redis.call('SMEMBERS', base .. 'lists')) do
  redis.call('DEL', base .. 'list:' .. name)
end
for _, name in ipairs(redis.call('SMEMBERS', base .. 'maps')) do
  redis.call('DEL', base .. 'map:' .. name)
end
for _, name in ipairs({'count', 'closes_at', 'roles', 'flags', 'bans', 'srooms', 'seq', 'breakout',
                       'lists', 'maps', 'values', 'waiting', 'accepted', 'waiting-order', 'session'}) do
  redis.call('DEL', base .. name)
end
if existed then
  return 1
end
return 2
