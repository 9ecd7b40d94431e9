
type ControlTimeLimitQuotaElapsedTag = "time_limit_quota_elapsed";
export { ControlTimeLimitQuotaElapsedTag };