
type ChatDisableChatTag = "disable_chat";
export { ChatDisableChatTag };