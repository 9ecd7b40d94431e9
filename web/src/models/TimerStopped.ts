import {TimerStoppedTag} from './TimerStoppedTag';
import {TimerStoppedKind} from './TimerStoppedKind';
interface TimerStopped {
  'message': TimerStoppedTag;
  'timer_id': string;
  'kind': TimerStoppedKind;
  'participant_id'?: string | null;
  'reason'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { TimerStopped };