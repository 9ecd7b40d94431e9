import {ModerationError} from './ModerationError';
interface ModerationErrorFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationError;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationErrorFrame };