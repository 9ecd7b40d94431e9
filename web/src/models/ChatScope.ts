
type ChatScope = "global" | "group" | "private";
export { ChatScope };