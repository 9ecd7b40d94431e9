import {ChatEnableChatTag} from './ChatEnableChatTag';
interface ChatEnableChat {
  'action': ChatEnableChatTag;
  'additionalProperties'?: Map<string, any>;
}
export { ChatEnableChat };