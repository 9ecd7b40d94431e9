import {AutomodSpeakerUpdatedTag} from './AutomodSpeakerUpdatedTag';
interface AutomodSpeakerUpdated {
  'message': AutomodSpeakerUpdatedTag;
  'speaker': string;
  'remaining': string[];
  'history'?: string[];
  'additionalProperties'?: Map<string, any>;
}
export { AutomodSpeakerUpdated };