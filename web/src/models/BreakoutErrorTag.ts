
type BreakoutErrorTag = "error";
export { BreakoutErrorTag };