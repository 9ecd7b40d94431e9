
interface PollsChoice {
  'id': number;
  'content': string;
  'additionalProperties'?: Map<string, any>;
}
export { PollsChoice };