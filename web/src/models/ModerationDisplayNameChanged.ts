import {ModerationDisplayNameChangedTag} from './ModerationDisplayNameChangedTag';
interface ModerationDisplayNameChanged {
  'message': ModerationDisplayNameChangedTag;
  'target': string;
  'issued_by': string;
  'old_name': string;
  'new_name': string;
  'additionalProperties'?: Map<string, any>;
}
export { ModerationDisplayNameChanged };