
interface Quotas {
  'room_participant_limit'?: number | null;
  'room_time_limit_secs'?: number | null;
  'additionalProperties'?: Map<string, any>;
}
export { Quotas };