
type ChatSetLastSeenTimestampTag = "set_last_seen_timestamp";
export { ChatSetLastSeenTimestampTag };