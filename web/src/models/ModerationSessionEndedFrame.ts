import {ModerationSessionEnded} from './ModerationSessionEnded';
interface ModerationSessionEndedFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationSessionEnded;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationSessionEndedFrame };