import {ModerationWaitingParticipant} from './ModerationWaitingParticipant';
interface ModerationModerationJoinData {
  'raise_hands_enabled': boolean;
  'waiting_room_enabled'?: boolean | null;
  'waiting_room_participants'?: ModerationWaitingParticipant[] | null;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationModerationJoinData };