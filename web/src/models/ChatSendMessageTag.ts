
type ChatSendMessageTag = "send_message";
export { ChatSendMessageTag };