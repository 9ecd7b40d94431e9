import {BreakoutStoppedTag} from './BreakoutStoppedTag';
interface BreakoutStopped {
  'message': BreakoutStoppedTag;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutStopped };