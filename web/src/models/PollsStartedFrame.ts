import {PollsStarted} from './PollsStarted';
interface PollsStartedFrame {
  'namespace': 'polls';
  'timestamp': string;
  'payload': PollsStarted;
  'additionalProperties'?: Map<string, any>;
}
export { PollsStartedFrame };