import {ChatDisableChatTag} from './ChatDisableChatTag';
interface ChatDisableChat {
  'action': ChatDisableChatTag;
  'additionalProperties'?: Map<string, any>;
}
export { ChatDisableChat };