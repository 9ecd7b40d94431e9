import {TimerUpdatedReadyStatusTag} from './TimerUpdatedReadyStatusTag';
interface TimerUpdatedReadyStatus {
  'message': TimerUpdatedReadyStatusTag;
  'timer_id': string;
  'participant_id': string;
  'status': boolean;
  'additionalProperties'?: Map<string, any>;
}
export { TimerUpdatedReadyStatus };