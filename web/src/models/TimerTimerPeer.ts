
interface TimerTimerPeer {
  'ready_status': boolean;
  'additionalProperties'?: Map<string, any>;
}
export { TimerTimerPeer };