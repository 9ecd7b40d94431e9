import {PollsLiveUpdate} from './PollsLiveUpdate';
interface PollsLiveUpdateFrame {
  'namespace': 'polls';
  'timestamp': string;
  'payload': PollsLiveUpdate;
  'additionalProperties'?: Map<string, any>;
}
export { PollsLiveUpdateFrame };