
type ChatErrorTag = "error";
export { ChatErrorTag };