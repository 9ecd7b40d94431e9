import {ModerationDisplayNameChanged} from './ModerationDisplayNameChanged';
interface ModerationDisplayNameChangedFrame {
  'namespace': 'moderation';
  'timestamp': string;
  'payload': ModerationDisplayNameChanged;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationDisplayNameChangedFrame };