import {ModerationDisableRaiseHandsTag} from './ModerationDisableRaiseHandsTag';
interface ModerationDisableRaiseHands {
  'action': ModerationDisableRaiseHandsTag;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationDisableRaiseHands };