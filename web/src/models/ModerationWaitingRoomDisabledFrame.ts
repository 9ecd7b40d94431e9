import {ModerationWaitingRoomDisabled} from './ModerationWaitingRoomDisabled';
interface ModerationWaitingRoomDisabledFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationWaitingRoomDisabled;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationWaitingRoomDisabledFrame };