
type AutomodSelectTag = "select";
export { AutomodSelectTag };