import {LegalVoteErrorTag} from './LegalVoteErrorTag';
import {LegalVoteErrorCode} from './LegalVoteErrorCode';
interface LegalVoteError {
  'message': LegalVoteErrorTag;
  'error': LegalVoteErrorCode;
  'guests'?: string[] | null;
  'additionalProperties'?: Map<string, any>;
}
export { LegalVoteError };