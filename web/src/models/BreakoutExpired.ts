import {BreakoutExpiredTag} from './BreakoutExpiredTag';
interface BreakoutExpired {
  'message': BreakoutExpiredTag;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutExpired };