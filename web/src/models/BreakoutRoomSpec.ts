
interface BreakoutRoomSpec {
  'name': string;
  'assignments'?: string[];
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutRoomSpec };