import {ModerationRaiseHandsDisabled} from './ModerationRaiseHandsDisabled';
interface ModerationRaiseHandsDisabledFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationRaiseHandsDisabled;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationRaiseHandsDisabledFrame };