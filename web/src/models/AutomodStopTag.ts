
type AutomodStopTag = "stop";
export { AutomodStopTag };