import {ModerationAccepted} from './ModerationAccepted';
interface ModerationAcceptedFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationAccepted;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationAcceptedFrame };