import {BreakoutLeftTag} from './BreakoutLeftTag';
interface BreakoutLeft {
  'message': BreakoutLeftTag;
  'breakout_room': string | null;
  'id': string;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutLeft };