import {ChatSendMessageTag} from './ChatSendMessageTag';
import {ChatScope} from './ChatScope';
interface ChatSendMessage {
  'action': ChatSendMessageTag;
  'content': string;
  'scope': ChatScope;
  'target'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { ChatSendMessage };