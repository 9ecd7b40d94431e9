import {ModerationEnableRaiseHandsTag} from './ModerationEnableRaiseHandsTag';
interface ModerationEnableRaiseHands {
  'action': ModerationEnableRaiseHandsTag;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationEnableRaiseHands };