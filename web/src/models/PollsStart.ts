import {PollsStartTag} from './PollsStartTag';
interface PollsStart {
  'action': PollsStartTag;
  'topic': string;
  'choices': string[];
  'live'?: boolean;
  'multiple_choice'?: boolean;
  'duration'?: number | null;
  'additionalProperties'?: Map<string, any>;
}
export { PollsStart };