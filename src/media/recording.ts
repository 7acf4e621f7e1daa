import { findConversation, linesWithin } from '../sim/conversations.js';
import type { Call } from '../sim/types.js';
import type { World } from '../sim/world.js';
import { clipPcm } from './clips.js';
import { encodeWav, SAMPLE_RATE } from './wav.js';

/** Audio that actually flowed on a live media stream, per call: it wins over the script. */
export const streamedAudio = new WeakMap<Call, { agent: Int16Array; callee: Int16Array }>();

/**
 * The call's recording, rendered on request from the clips on its timeline (nothing is stored
 * per call): stereo, agent left and callee right, exactly the answered talk time long.
 */
export function renderRecording(world: World, call: Call): Buffer {
  const streamed = streamedAudio.get(call);
  if (streamed) return encodeWav([streamed.agent, streamed.callee]);
  const samples = Math.round((call.talkMs / 1000) * SAMPLE_RATE);
  const agent = new Int16Array(samples);
  const callee = new Int16Array(samples);
  const conv = findConversation(world.library, call.conversationId);
  if (conv) {
    for (const line of linesWithin(conv, call.talkMs)) {
      const pcm = clipPcm(line.audio);
      const start = Math.round((line.startMs / 1000) * SAMPLE_RATE);
      const target = line.speaker === 'agent' ? agent : callee;
      target.set(pcm.subarray(0, Math.max(0, Math.min(pcm.length, samples - start))), start);
    }
  }
  return encodeWav([agent, callee]);
}
