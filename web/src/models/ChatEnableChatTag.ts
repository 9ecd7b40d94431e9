
type ChatEnableChatTag = "enable_chat";
export { ChatEnableChatTag };