import {AutomodSpeakerUpdated} from './AutomodSpeakerUpdated';
interface AutomodSpeakerUpdatedFrame {
  'namespace': 'automod';
  'timestamp': string;
  'payload': AutomodSpeakerUpdated;
  'additionalProperties'?: Map<string, any>;
}
export { AutomodSpeakerUpdatedFrame };