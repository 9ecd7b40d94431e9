
type AutomodSpeakerUpdatedTag = "speaker_updated";
export { AutomodSpeakerUpdatedTag };