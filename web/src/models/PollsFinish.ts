import {PollsFinishTag} from './PollsFinishTag';
interface PollsFinish {
  'action': PollsFinishTag;
  'id': string;
  'additionalProperties'?: Map<string, any>;
}
export { PollsFinish };