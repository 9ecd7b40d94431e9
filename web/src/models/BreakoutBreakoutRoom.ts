
interface BreakoutBreakoutRoom {
  'id': string;
  'name': string;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutBreakoutRoom };