import {TimerStartTag} from './TimerStartTag';
import {TimerStartKind} from './TimerStartKind';
interface TimerStart {
  'action': TimerStartTag;
  'kind': TimerStartKind;
  'duration'?: number | null;
  'title'?: string | null;
  'style'?: string | null;
  'enable_ready_check'?: boolean;
  'additionalProperties'?: Map<string, any>;
}
export { TimerStart };