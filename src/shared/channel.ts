/**
 * How a caller reached the agent (`calls.channel`): a telephone line, the console's softphone
 * over WebRTC, or typed chat. Carriers declare theirs; the call row records it.
 */
export const CALL_CHANNELS = ['phone', 'webrtc', 'chat'] as const;
export type CallChannel = (typeof CALL_CHANNELS)[number];

export function isCallChannel(v: unknown): v is CallChannel {
  return typeof v === 'string' && (CALL_CHANNELS as readonly string[]).includes(v);
}
