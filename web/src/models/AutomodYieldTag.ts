
type AutomodYieldTag = "yield";
export { AutomodYieldTag };