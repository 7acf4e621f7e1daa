import { FRAME_BYTES } from './codec.js';
import { DtmfDetector } from './dtmf.js';
import { type Played, Playout } from './playout.js';
import { type FrameRef, silence } from './script.js';

/**
 * A live agent's side of the call as the callee hears it: the audio its client sent, through the
 * playout (jitter) buffer, with the keys it pressed — `dtmf` messages, and tones played in its
 * audio (in-band DTMF). Shared by a call's engine on the main thread and a load run's streams.
 */
export class AgentLine {
  readonly playout: Playout;
  private readonly dtmf = new DtmfDetector();
  private readonly scratch = Buffer.alloc(FRAME_BYTES);
  framesPlayed = 0;

  constructor(targetMs: () => number) {
    this.playout = new Playout(targetMs);
  }

  /**
   * The agent's frame due at `frameAt`, into `ref` (silence when it sent nothing): what played,
   * the marks it reached and every key heard in it. A `dtmf` message's own tone is not heard twice.
   */
  next(frameAt: number, ref: FrameRef): Played {
    const played = this.playout.next(frameAt, this.scratch);
    if (played.audioBytes) {
      ref.buf = this.scratch;
      ref.off = 0;
      this.framesPlayed++;
      const heard = this.dtmf.push(this.scratch, 0);
      if (!played.toneBytes) played.digits += heard;
    } else {
      silence(ref);
      this.dtmf.silence();
    }
    return played;
  }
}
