
interface PollsResult {
  'id': number;
  'count': number;
  'additionalProperties'?: Map<string, any>;
}
export { PollsResult };