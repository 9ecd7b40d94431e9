import {ChatClearHistoryTag} from './ChatClearHistoryTag';
interface ChatClearHistory {
  'action': ChatClearHistoryTag;
  'additionalProperties'?: Map<string, any>;
}
export { ChatClearHistory };