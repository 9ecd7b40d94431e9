import {PollsStart} from './PollsStart';
interface PollsStartFrame {
  'namespace': 'polls';
  'payload': PollsStart;
  'additionalProperties'?: Map<string, any>;
}
export { PollsStartFrame };