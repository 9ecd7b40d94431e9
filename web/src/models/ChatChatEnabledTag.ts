
type ChatChatEnabledTag = "chat_enabled";
export { ChatChatEnabledTag };