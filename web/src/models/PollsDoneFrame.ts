import {PollsDone} from './PollsDone';
interface PollsDoneFrame {
  'namespace': 'polls';
  'timestamp': string;
  'payload': PollsDone;
  'additionalProperties'?: Map<string, any>;
}
export { PollsDoneFrame };