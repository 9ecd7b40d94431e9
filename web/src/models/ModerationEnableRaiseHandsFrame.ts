import {ModerationEnableRaiseHands} from './ModerationEnableRaiseHands';
interface ModerationEnableRaiseHandsFrame {
  'namespace': 'moderation';
  'payload': ModerationEnableRaiseHands;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationEnableRaiseHandsFrame };