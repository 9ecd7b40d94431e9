
type ChatMessageSentTag = "message_sent";
export { ChatMessageSentTag };