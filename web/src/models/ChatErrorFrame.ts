import {ChatError} from './ChatError';
interface ChatErrorFrame {
  'namespace': 'chat';
  'timestamp': string;
  'payload': ChatError;
  'additionalProperties'?: Map<string, any>;
}
export { ChatErrorFrame };