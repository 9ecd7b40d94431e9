
type ChatHistoryClearedTag = "history_cleared";
export { ChatHistoryClearedTag };