import {TimerJoinDataKind} from './TimerJoinDataKind';
interface TimerJoinData {
  'timer_id': string;
  'started_at': string;
  'kind': TimerJoinDataKind;
  'ends_at'?: string | null;
  'title'?: string | null;
  'style'?: string | null;
  'ready_check_enabled': boolean;
  'ready_status'?: boolean | null;
  'additionalProperties'?: Map<string, any>;
}
export { TimerJoinData };