-- Delete a value if it still holds the expected bytes (LiveState.take_value); True once.
-- KEYS: values, + outbox
-- ARGV: name, expected, event name or "", event data JSON, + outbox
-- Emits the given event (poll.done) with the deletion.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
if ARGV[3] ~= '' then
  outbox_open()
  emit(ARGV[3], outbox_session(false), cjson.decode(ARGV[4]))
end
return 1
