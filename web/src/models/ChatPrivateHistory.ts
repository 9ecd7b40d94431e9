import {ChatHistory} from './ChatHistory';
interface ChatPrivateHistory {
  'correspondent': string;
  'history': ChatHistory;
  'additionalProperties'?: Map<string, any>;
}
export { ChatPrivateHistory };