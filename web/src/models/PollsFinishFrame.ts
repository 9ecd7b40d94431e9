import {PollsFinish} from './PollsFinish';
interface PollsFinishFrame {
  'namespace': 'polls';
  'payload': PollsFinish;
  'additionalProperties'?: Map<string, any>;
}
export { PollsFinishFrame };