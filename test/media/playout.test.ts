import { describe, expect, it } from 'vitest';
import { FRAME_BYTES } from '../../src/media/codec.js';
import { MAX_MESSAGE_BYTES } from '../../src/media/limits.js';
import { Pacer } from '../../src/media/pacer.js';
import { MAX_QUEUED_BYTES, Playout } from '../../src/media/playout.js';
import { parseClientMsg } from '../../src/media/protocol.js';
import { dtmfTone } from '../../src/media/tones.js';
import { frameDb } from '../../src/media/vad.js';

const out = Buffer.alloc(FRAME_BYTES);
const frame = () => Buffer.alloc(FRAME_BYTES, 0x10);

/**
 * Plays a sender's packets through a playout buffer on a 20 ms grid: packet k arrives at
 * 20·k + late(k) ms and joins the buffer before the first tick at or after its arrival.
 * Answers which ticks played audio.
 */
function paced(p: Playout, packets: number, late: (k: number) => number, ticks = packets + 20): boolean[] {
  const arrivals = Array.from({ length: packets }, (_, k) => 20 * k + late(k));
  const played: boolean[] = [];
  let next = 0;
  for (let t = 0; t < ticks; t++) {
    while (next < packets && arrivals[next] <= t * 20) p.audio(frame(), arrivals[next++]);
    played.push(p.next(t * 20, out).audioBytes > 0);
  }
  return played;
}

/** Ticks without audio between the first and the last tick with audio. */
const holes = (played: boolean[]) => played.slice(played.indexOf(true), played.lastIndexOf(true)).filter((x) => !x).length;

/** The first packet on time, each later one late by 0–35 ms: the same sequence every run (a small LCG). */
function jitter(seed: number): (k: number) => number {
  let s = seed;
  return (k) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return k ? (s / 2 ** 31) * 35 : 0;
  };
}

describe('playout: the agent side as the callee hears it', () => {
  it('plays audio 20 ms at a time and reaches a mark when the audio before it has played', () => {
    const p = new Playout();
    p.audio(Buffer.alloc(400, 0x10), 0);
    expect(p.mark('m', 0)).toBeNull();
    expect(p.next(0, out)).toEqual({ audioBytes: 160, toneBytes: 0, marks: [], digits: '' });
    expect(p.next(20, out)).toEqual({ audioBytes: 160, toneBytes: 0, marks: [], digits: '' });
    expect(p.next(40, out)).toEqual({ audioBytes: 80, toneBytes: 0, marks: [{ name: 'm', at: 50 }], digits: '' });
    expect(out.subarray(80).every((b) => b === 0xff)).toBe(true);
    expect(p.mark('now', 55)).toBe(55);
    expect(p.mark('soon', 45)).toBe(50);
  });

  it('clear drops what is queued and hands back the pending marks', () => {
    const p = new Playout(() => 60);
    p.audio(Buffer.alloc(1600, 0x10), 0);
    p.mark('a', 0);
    p.audio(frame(), 0);
    p.mark('b', 0);
    expect(p.clear()).toEqual(['a', 'b']);
    expect(p.next(100, out).audioBytes).toBe(0);
    expect(p.underruns).toBe(0);
  });

  it('plays a key press as a tone, heard when it starts; refuses audio beyond a minute queued, with the reason', () => {
    const p = new Playout();
    expect(p.digit('5', 0)).toBeNull();
    const first = p.next(0, out);
    expect(first.digits).toBe('5');
    expect(first.toneBytes).toBe(160);
    expect(frameDb(out, 0)).toBeGreaterThan(-20);
    expect(dtmfTone('5').length).toBe(160 * 8);
    expect(p.audio(Buffer.alloc(MAX_QUEUED_BYTES), 0)).toMatch(/^media: 0\.1 s of audio already waits to be played .*at most 60 s may be queued$/);
    expect(p.droppedFrames).toBe(MAX_QUEUED_BYTES / 160);
    expect(p.audio(Buffer.alloc(MAX_QUEUED_BYTES - p.queuedBytes), 0)).toBeNull();
    expect(p.digit('1', 0)).toMatch(/at most 60 s/);
  });

  it('holds a burst until the target depth is queued, so a sender 0–35 ms late each packet plays without a hole', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const p = new Playout(() => 60);
      const played = paced(p, 150, jitter(seed));
      expect(played.filter(Boolean)).toHaveLength(150);
      expect(holes(played)).toBe(0);
      expect(p.underruns).toBe(0);
    }
    // The same senders with no buffer (playoutMs 0, the old behaviour) leave holes, and they are counted.
    const bare = new Playout(() => 0);
    const played = paced(bare, 150, jitter(1));
    expect(holes(played)).toBeGreaterThan(0);
    expect(bare.underruns).toBeGreaterThan(0);
  });

  it('starts a burst early when the target depth is already queued (a TTS engine sending seconds at once)', () => {
    const p = new Playout(() => 60);
    p.audio(Buffer.alloc(16_000, 0x10), 0);
    expect(p.next(0, out).audioBytes).toBe(160);
  });

  it('plays an utterance shorter than the target once its first packet has waited the target', () => {
    const p = new Playout(() => 60);
    p.audio(frame(), 0);
    expect([0, 20, 40].map((t) => p.next(t, out).audioBytes)).toEqual([0, 0, 0]);
    expect(p.next(60, out).audioBytes).toBe(160);
  });

  it('counts an underrun when the audio runs out and resumes within 200 ms, with the silence it made; a longer pause is no underrun', () => {
    const p = new Playout(() => 40);
    // 10 frames on time, then the sender stalls for 100 ms, then 10 more, then a 1 s pause and 10 more.
    const late = (k: number) => (k < 10 ? 0 : k < 20 ? 100 : 1100);
    const played = paced(p, 30, late, 120);
    expect(p.underruns).toBe(1);
    // Ran dry after tick 10's frame would have played (t=220), resumed at the first tick ≥ 40 ms after the packet at 300.
    expect(p.underrunMs).toBeGreaterThanOrEqual(100);
    expect(p.underrunMs).toBeLessThanOrEqual(140);
    expect(played.filter(Boolean)).toHaveLength(30);
  });

  it('echoes a mark sent behind buffered audio only once that audio has played', () => {
    const p = new Playout(() => 60);
    p.audio(frame(), 0);
    expect(p.mark('after', 1)).toBeNull();
    const marks = [0, 20, 40, 60, 80].flatMap((t) => p.next(t, out).marks);
    expect(marks).toEqual([{ name: 'after', at: 80 }]);
  });
});

describe('message size', () => {
  it('takes a media message of any size a carrier takes; the socket limit holds the most audio that may be queued', () => {
    for (const bytes of [16_000, 80_000, MAX_QUEUED_BYTES]) {
      const payload = Buffer.alloc(bytes, 0x55).toString('base64');
      const msg = parseClientMsg(Buffer.from(JSON.stringify({ event: 'media', media: { payload } })), false, 'MZ1');
      expect(msg).toEqual({ event: 'media', payload: expect.any(Buffer) });
      expect((msg as { payload: Buffer }).payload.length).toBe(bytes);
      expect(JSON.stringify({ event: 'media', streamSid: `MZ${'0'.repeat(32)}`, media: { payload } }).length).toBeLessThan(MAX_MESSAGE_BYTES);
    }
  });
});

describe('pacer', () => {
  it('applies a packet that arrived just before a deadline before making that frame', async () => {
    const pacer = new Pacer();
    let origin = 0;
    let due = Infinity;
    let applied = false;
    const seen: boolean[] = [];
    // The engine is ticked first (set order), as a call's engine made before its agent socket is.
    const engine = { tick: () => seen.push(applied), flush: () => {}, nextDue: () => Infinity };
    const socket = {
      tick: () => {},
      flush: (now: number) => {
        if (due <= now + 1) [applied, due] = [true, Infinity];
      },
      nextDue: () => due,
    };
    origin = performance.now();
    pacer.add(engine);
    pacer.add(socket);
    // The packet arrived 0.4 ms before the first deadline (origin + 20) while the event loop was
    // busy, so the loop wakes after both are due.
    due = origin + 19.6;
    while (performance.now() < origin + 21) {}
    await new Promise((r) => setTimeout(r, 50));
    pacer.delete(engine);
    pacer.delete(socket);
    expect(seen[0]).toBe(true);
  });
});
