import {ModerationDisableRaiseHands} from './ModerationDisableRaiseHands';
interface ModerationDisableRaiseHandsFrame {
  'namespace': 'moderation';
  'payload': ModerationDisableRaiseHands;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationDisableRaiseHandsFrame };