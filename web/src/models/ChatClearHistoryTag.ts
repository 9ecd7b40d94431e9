
type ChatClearHistoryTag = "clear_history";
export { ChatClearHistoryTag };