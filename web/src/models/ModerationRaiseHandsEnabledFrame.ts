import {ModerationRaiseHandsEnabled} from './ModerationRaiseHandsEnabled';
interface ModerationRaiseHandsEnabledFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationRaiseHandsEnabled;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationRaiseHandsEnabledFrame };