import {ModerationWaitingRoomEnabled} from './ModerationWaitingRoomEnabled';
interface ModerationWaitingRoomEnabledFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationWaitingRoomEnabled;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationWaitingRoomEnabledFrame };