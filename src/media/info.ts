import type { Call } from '../sim/types.js';
import type { TurnLog } from './turns.js';
import type { CallerReport } from './verdict.js';

/** What callsim knows about a call's media, kept with the call after its streams have closed. */
export interface CallMedia {
  /** Who spoke for the agent: the built-in script, or a live client. */
  mode: 'scripted' | 'agent' | null;
  /** Call time (ms since answer) the live engine took over. */
  startOffsetMs: number | null;
  log: TurnLog | null;
  digitsHeard: string;
  /** Why callsim could not dial the agent's media_url, if it tried and failed. */
  dialError: string | null;
  dialUrl: string | null;
  streamsOpened: number;
  agentFramesPlayed: number;
  agentFramesDropped: number;
  agentFramesLost: number;
  marksEchoed: number;
  clears: number;
  /** Times the agent's audio ran out mid-utterance, and the silence that made (playout.ts). */
  underruns: number;
  underrunMs: number;
  /** The call's streams that have closed, as they stood when they closed (newest last). */
  closedSessions: object[];
  /** A simulated caller's report: the engine while it runs, its final report once the call ended. */
  caller: { report(ending: null, underruns: number, underrunMs: number): CallerReport } | CallerReport | null;
  /** Why the caller a scenario rule named could not talk (unknown name). */
  callerError: string | null;
  ended: boolean;
}

const byCall = new WeakMap<Call, CallMedia>();

export function callMedia(call: Call): CallMedia {
  let m = byCall.get(call);
  if (!m) {
    m = {
      mode: null,
      startOffsetMs: null,
      log: null,
      digitsHeard: '',
      dialError: null,
      dialUrl: null,
      streamsOpened: 0,
      agentFramesPlayed: 0,
      agentFramesDropped: 0,
      agentFramesLost: 0,
      marksEchoed: 0,
      clears: 0,
      underruns: 0,
      underrunMs: 0,
      closedSessions: [],
      caller: null,
      callerError: null,
      ended: false,
    };
    byCall.set(call, m);
  }
  return m;
}

export const peekCallMedia = (call: Call): CallMedia | undefined => byCall.get(call);
