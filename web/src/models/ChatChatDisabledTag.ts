
type ChatChatDisabledTag = "chat_disabled";
export { ChatChatDisabledTag };