import {LegalVoteStartTag} from './LegalVoteStartTag';
import {LegalVoteStartKind} from './LegalVoteStartKind';
interface LegalVoteStart {
  'action': LegalVoteStartTag;
  'kind': LegalVoteStartKind;
  'name': string;
  'allowed_participants': string[];
  'enable_abstain': boolean;
  'auto_close': boolean;
  'create_pdf': boolean;
  'subtitle'?: string | null;
  'topic'?: string | null;
  'duration'?: number | null;
  'timezone'?: string | null;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteStart };