import {BreakoutStopTag} from './BreakoutStopTag';
interface BreakoutStop {
  'action': BreakoutStopTag;
  'additionalProperties'?: Map<string, any>;
}
export { BreakoutStop };