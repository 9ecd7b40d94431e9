import {PollsChoice} from './PollsChoice';
interface PollsPoll {
  'id': string;
  'topic': string;
  'live': boolean;
  'multiple_choice': boolean;
  'choices': PollsChoice[];
  'started': string;
  'duration': number;
  'additionalProperties'?: Map<string, any>;
}
export { PollsPoll };