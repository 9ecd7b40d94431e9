
type AutomodStartTag = "start";
export { AutomodStartTag };