export interface TranscriptTurn {
  speaker: 'agent' | 'callee';
  text: string;
  offsetMs: number;
}

/** One exchange: the callee stopped talking, and the agent's first audio reached it this much later. */
export interface TurnLatency {
  turn: number;
  calleeText: string;
  calleeEndMs: number;
  agentStartMs: number;
  /** Negative when the agent talked over the callee. */
  latencyMs: number;
}

/**
 * What was said when, from the callee's ear (call time, ms since answer): the transcript a live
 * call gets instead of its script, and the latency of every turn.
 */
export class TurnLog {
  readonly transcript: TranscriptTurn[];
  readonly latencies: TurnLatency[] = [];
  private pending: { text: string; endMs: number } | null = null;
  private speaking: { text: string; agentAt: number | null } | null = null;

  constructor(prefix: TranscriptTurn[] = []) {
    this.transcript = [...prefix];
  }

  calleeSays(text: string, atMs: number): void {
    this.transcript.push({ speaker: 'callee', text, offsetMs: Math.round(atMs) });
    this.speaking = { text, agentAt: null };
    this.pending = null;
  }

  calleeSaid(text: string, atMs: number): void {
    const overlap = this.speaking?.agentAt ?? null;
    this.speaking = null;
    this.pending = { text, endMs: atMs };
    if (overlap !== null) this.answered(overlap);
  }

  /** The agent began a turn (its first audio at the callee). Live agents' turns carry no text. */
  agentTurn(atMs: number, text = ''): void {
    this.transcript.push({ speaker: 'agent', text, offsetMs: Math.max(0, Math.round(atMs)) });
    if (this.pending) this.answered(atMs);
    else if (this.speaking && this.speaking.agentAt === null) this.speaking.agentAt = atMs;
  }

  private answered(atMs: number): void {
    const p = this.pending!;
    this.pending = null;
    this.latencies.push({
      turn: this.latencies.length + 1,
      calleeText: p.text,
      calleeEndMs: Math.round(p.endMs),
      agentStartMs: Math.round(atMs),
      latencyMs: Math.round(atMs - p.endMs),
    });
  }

  sorted(): TranscriptTurn[] {
    return [...this.transcript].sort((a, b) => a.offsetMs - b.offsetMs);
  }
}
