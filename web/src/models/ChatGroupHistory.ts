import {ChatHistory} from './ChatHistory';
interface ChatGroupHistory {
  'name': string;
  'history': ChatHistory;
  'additionalProperties'?: Map<string, any>;
}
export { ChatGroupHistory };