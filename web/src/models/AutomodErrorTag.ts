
type AutomodErrorTag = "error";
export { AutomodErrorTag };