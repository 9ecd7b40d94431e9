
interface ChatChatPeer {
  'groups'?: string[];
  'additionalProperties'?: Map<string, any>;
}
export { ChatChatPeer };