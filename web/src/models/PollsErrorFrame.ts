import {PollsError} from './PollsError';
interface PollsErrorFrame {
  'namespace': 'polls';
  'timestamp': string;
  'payload': PollsError;
  'additionalProperties'?: Map<string, any>;
}
export { PollsErrorFrame };