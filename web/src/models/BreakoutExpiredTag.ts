
type BreakoutExpiredTag = "expired";
export { BreakoutExpiredTag };