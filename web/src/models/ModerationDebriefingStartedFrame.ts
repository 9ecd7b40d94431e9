import {ModerationDebriefingStarted} from './ModerationDebriefingStarted';
interface ModerationDebriefingStartedFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationDebriefingStarted;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationDebriefingStartedFrame };