
type ControlRateLimitExceededTag = "rate_limit_exceeded";
export { ControlRateLimitExceededTag };