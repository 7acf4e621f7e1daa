import { Mp3Encoder } from '@breezystack/lamejs';
import { MPEGDecoder } from 'mpg123-decoder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioFrames, infoFrame } from '../../../src/media/mp3.js';
import { startTestSim, type TestSim } from '../../helpers/sim.js';

/**
 * Recordings come in the format each vendor's page names: CallGeni.us "the call recording MP3",
 * JagCall's example link ends `.wav`. Either way the recording is exactly the call's talk time long:
 * decoded with mpg123 (which honours the LAME tag's delay and padding), an MP3 gives back exactly
 * the samples the call had.
 */
let sim: TestSim;
let decoder: MPEGDecoder;
beforeAll(async () => {
  sim = await startTestSim({ transcriptDelayMs: 0, recordingDelayMs: 0 });
  decoder = new MPEGDecoder();
  await decoder.ready;
});
afterAll(async () => {
  decoder.free();
  await sim.stop();
});

async function decode(bytes: Buffer) {
  await decoder.reset();
  return decoder.decode(new Uint8Array(bytes));
}

const rms = (x: Float32Array) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / Math.max(1, x.length));

describe('recording formats', () => {
  it('CallGeni.us: a real MP3 (audio/mpeg), streamed whole, exactly the talk time long, with the call audible', async () => {
    await sim.admin('PUT', '/config', { scenarios: [{ toPrefix: '+6140', outcome: 'answered', durationSec: 7 }] });
    const call = await sim.admin('POST', '/calls', { vendor: 'callgenius', to: '+61400000001' });
    expect(call.status).toBe(201);
    await sim.advance(60_000);
    const rec = await sim.api('callgenius', 'GET', `/api/calls/${call.body.id}/recording`);
    expect(rec.status).toBe(200);
    expect(rec.body.format).toBe('mp3');
    expect(rec.body.url).toMatch(/\.mp3\?expires=\d+&sig=[0-9a-f]{64}$/);
    // A Range is not honoured: an MP3 is encoded from its start, so the whole file comes back.
    const res = await fetch(rec.body.url, { headers: { range: 'bytes=0-99' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('accept-ranges')).toBeNull();
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(Number(res.headers.get('content-length')));
    const out = await decode(bytes);
    expect(out.errors).toEqual([]);
    expect(out.sampleRate).toBe(8000);
    expect(out.samplesDecoded).toBe(7 * 8000);
    // The conversation is in it (both parties mixed), not silence.
    expect(rms(out.channelData[0])).toBeGreaterThan(0.01);
    const wrongExt = rec.body.url.replace('.mp3?', '.wav?');
    expect((await fetch(wrongExt)).status).toBe(403);
  });

  it('JagCall keeps the WAV its page shows (`.wav`), with byte ranges', async () => {
    const rec = await sim.api('jagcall', 'GET', '/v1/calls/call_xxx/recording');
    expect(rec.body.recording_url).toMatch(/\/call_xxx\.wav\?/);
    const res = await fetch(rec.body.recording_url, { headers: { range: 'bytes=0-3' } });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).toString('ascii')).toBe('RIFF');
  });

  it('the Info frame declares exactly the samples given, whatever their count against the 576-sample frames', async () => {
    for (const n of [0, 1, 575, 576, 577, 8000, 12_345]) {
      const enc = new Mp3Encoder(1, 8000, 32);
      const pcm = Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin(i / 5)));
      const parts = [infoFrame(n)];
      for (let s = 0; s < n; s += 8000) parts.push(Buffer.from(enc.encodeBuffer(pcm.subarray(s, s + 8000))));
      parts.push(Buffer.from(enc.flush()));
      const file = Buffer.concat(parts);
      // Every frame is 288 bytes: the Info frame, then the audio frames lamejs made.
      expect(file.length, `n=${n}`).toBe((audioFrames(n) + 1) * 288);
      expect(file.subarray(288, 292), 'the Info frame has the header lamejs writes').toEqual(infoFrame(n).subarray(0, 4));
      expect((await decode(file)).samplesDecoded, `n=${n}`).toBe(n);
    }
  });
});
