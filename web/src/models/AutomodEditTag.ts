
type AutomodEditTag = "edit";
export { AutomodEditTag };