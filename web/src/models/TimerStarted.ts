import {TimerStartedTag} from './TimerStartedTag';
import {TimerStartedKind} from './TimerStartedKind';
interface TimerStarted {
  'message': TimerStartedTag;
  'timer_id': string;
  'started_at': string;
  'kind': TimerStartedKind;
  'ends_at'?: string | null;
  'title'?: string | null;
  'style'?: string | null;
  'ready_check_enabled': boolean;
  'additionalProperties'?: Map<string, any>;
}
export { TimerStarted };