import {ChatScope} from './ChatScope';
interface ChatChatMessage {
  'id': string;
  'source': string;
  'timestamp': string;
  'content': string;
  'scope': ChatScope;
  'target'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { ChatChatMessage };