import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { connect, createCall, loud, refused, startMediaSim, wsUrl } from './helpers.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startMediaSim({ scenarios: [{ toPrefix: '+1556', outcome: 'answered', ringSec: 1 }] });
});
afterAll(() => sim.stop());

describe.concurrent('listen stream', () => {
  it('speaks Twilio Media Streams: connected, start, paced 160-byte media of both parties, numbered in order', async () => {
    const id = await createCall(sim);
    const c = await connect(wsUrl(sim, id, 'tracks=both&foo=bar'));
    await c.until(() => c.media('outbound').filter(loud).length >= 5, 8000, 'the agent speaking');
    const [connected, start] = c.got.map((g) => g.msg);
    // Twilio's connected message has exactly these three fields; numbering starts at start.
    expect(connected).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    expect(start).toEqual({
      event: 'start',
      sequenceNumber: '1',
      streamSid: expect.stringMatching(/^MZ[0-9a-f]{32}$/),
      start: {
        streamSid: start.streamSid,
        accountSid: 'jc_org_demo',
        callSid: id,
        tracks: ['inbound', 'outbound'],
        customParameters: { foo: 'bar' },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    c.got.slice(1).forEach((g, i) => expect(g.msg.sequenceNumber).toBe(String(i + 1)));
    for (const track of ['inbound', 'outbound']) {
      const frames = c.media(track).map((g) => g.msg);
      expect(frames.length).toBeGreaterThan(20);
      frames.forEach((m, i) => {
        expect(m).toEqual({
          event: 'media',
          sequenceNumber: expect.any(String),
          streamSid: start.streamSid,
          media: { track, chunk: String(i + 1), timestamp: expect.any(String), payload: expect.any(String) },
        });
        expect(Buffer.from(m.media.payload, 'base64').length).toBe(160);
        if (i) expect(Number(m.media.timestamp) - Number(frames[i - 1].media.timestamp)).toBe(20);
      });
    }
    // The callee answers first ("Hello?"), then the built-in agent speaks.
    const firstLoud = (track: string) => Number(c.media(track).find(loud)!.msg.media.timestamp);
    expect(firstLoud('inbound')).toBeLessThan(firstLoud('outbound'));
    await c.close();
  });

  it("hears the inbound track (the callee) by default, as Twilio's <Stream> does; Twilio's track names work too", async () => {
    const id = await createCall(sim);
    const c = await connect(wsUrl(sim, id));
    const both = await connect(wsUrl(sim, id, 'tracks=both_tracks'));
    await c.until(() => c.media().length >= 20 && both.media('outbound').length >= 20, 5000, 'frames');
    expect(c.events('start')[0].msg.start.tracks).toEqual(['inbound']);
    expect(new Set(c.media().map((m) => m.msg.media.track))).toEqual(new Set(['inbound']));
    expect(both.events('start')[0].msg.start.tracks).toEqual(['inbound', 'outbound']);
    expect((await refused(wsUrl(sim, id, 'tracks=constructor'))).body.error.code).toBe('invalid_tracks');
    await c.close();
    await both.close();
  });

  it('paces frames every 20 ms on absolute deadlines: no drift over 2 s', async () => {
    const id = await createCall(sim);
    const c = await connect(wsUrl(sim, id, 'tracks=inbound'));
    await c.until(() => c.media().length >= 110, 8000, '110 frames');
    await c.close();
    const frames = c.media().slice(10, 110);
    expect(frames.every((f) => f.msg.media.track === 'inbound')).toBe(true);
    const intervals = frames
      .slice(1)
      .map((f, i) => f.at - frames[i].at)
      .sort((a, b) => a - b);
    expect(intervals[Math.floor(intervals.length / 2)]).toBeGreaterThan(17);
    expect(intervals[Math.floor(intervals.length / 2)]).toBeLessThan(23);
    // Each frame's offset from its slot on a 20 ms grid: the median over the first and the last 25
    // frames must agree (a timer per frame would drift by its lateness each time; a stall of this
    // busy machine moves a few frames, not the median).
    const offsets = frames.map((f, i) => f.at - frames[0].at - i * 20);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    expect(Math.abs(median(offsets.slice(75)) - median(offsets.slice(0, 25)))).toBeLessThan(10);
  });

  it('waits for the answer: connected at once, start when the call is answered', async () => {
    const id = await createCall(sim, '+15565550100');
    const opened = performance.now();
    const c = await connect(wsUrl(sim, id));
    await c.until(() => c.events('start').length, 5000, 'start');
    expect(c.got[0].msg.event).toBe('connected');
    expect(c.got[0].at - opened).toBeLessThan(500);
    expect(c.events('start')[0].at - opened).toBeGreaterThan(800);
    await c.close();
  });

  it('closes a stream for an ended call with stop', async () => {
    const c = await connect(wsUrl(sim, 'call_xxx'));
    await c.until(() => c.closed, 3000, 'close');
    expect(c.got.map((g) => g.msg.event)).toEqual(['connected', 'stop']);
    expect(c.got[1].msg.stop).toEqual({ accountSid: 'jc_org_demo', callSid: 'call_xxx' });
    expect(c.closed).toEqual({ code: 1000, reason: expect.stringContaining('ended') });
  });

  it('refuses unknown calls and vendors with 404, bad parameters with 400', async () => {
    expect(await refused(wsUrl(sim, 'call_nope'))).toEqual({ status: 404, body: { error: { code: 'unknown_call', message: 'No jagcall call call_nope' } } });
    expect((await refused(wsUrl(sim, 'call_xxx', '', 'nope'))).status).toBe(404);
    expect((await refused(`${sim.url.replace('http', 'ws')}/__sim/media/jagcall`)).status).toBe(404);
    expect((await refused(`${sim.url.replace('http', 'ws')}/elsewhere`)).status).toBe(404);
    const id = await createCall(sim);
    expect((await refused(wsUrl(sim, id, 'role=boss'))).body.error.code).toBe('invalid_role');
    expect((await refused(wsUrl(sim, id, 'latencyMs=-5'))).body.error.message).toMatch(/latencyMs must be >= 0/);
  });

  it('lists live sessions with their stats, and the call media with its conditions', async () => {
    const id = await createCall(sim);
    const c = await connect(wsUrl(sim, id, 'latencyMs=40&jitterMs=5'));
    await c.until(() => c.media().length > 10, 5000, 'frames');
    const list = await sim.admin('GET', '/media/sessions');
    const mine = list.body.data.find((s: any) => s.callId === id);
    expect(mine).toEqual(expect.objectContaining({ role: 'listen', state: 'streaming', streamSid: c.streamSid, framesDropped: 0 }));
    expect(mine.framesSent).toBeGreaterThan(10);
    const media = await sim.admin('GET', `/calls/${id}/media`);
    expect(media.body).toEqual(expect.objectContaining({ callId: id, live: true, mode: 'scripted', callConditions: { latencyMs: 40, jitterMs: 5 } }));
    expect(media.body.conditions).toEqual({ latencyMs: 40, jitterMs: 5, lossPercent: 0, agentDelayMs: 300, playoutMs: 60, silenceMs: 700, nudgeMs: 5000 });
    expect((await sim.admin('GET', '/calls/call_nope/media')).status).toBe(404);
    await c.close();
  });
});

describe('access', () => {
  it('follows the admin API rule: with --admin-token the stream needs the token', async () => {
    const t = await startTestSim({ clock: 'real', speed: 1, adminToken: 'sekret' });
    try {
      expect(await refused(wsUrl(t, 'call_xxx'))).toEqual({
        status: 401,
        body: { error: { code: 'unauthorized', message: expect.stringMatching(/admin token/) } },
      });
      expect((await refused(wsUrl(t, 'call_xxx', 'token=wrong'))).status).toBe(401);
      const c = await connect(wsUrl(t, 'call_xxx', 'token=sekret'));
      await c.until(() => c.closed, 3000, 'close');
      expect(c.got.map((g) => g.msg.event)).toEqual(['connected', 'stop']);
    } finally {
      await t.stop();
    }
  });

  it("sets a call's own conditions with PUT /__sim/calls/{id}/media", async () => {
    const id = await createCall(sim);
    const r = await sim.admin('PUT', `/calls/${id}/media`, { latencyMs: 120, silenceMs: 500 });
    expect(r.status).toBe(200);
    expect(r.body.conditions).toEqual(expect.objectContaining({ latencyMs: 120, silenceMs: 500, jitterMs: 0 }));
    expect((await sim.admin('PUT', `/calls/${id}/media`, { latencyMs: 99_999 })).status).toBe(400);
    expect((await sim.admin('PUT', `/calls/${id}/media`, { volume: 11 })).body.error.message).toMatch(/volume is not a known field/);
    expect(sim.running.sim.world.findCall(id)!.media).toEqual({ latencyMs: 120, silenceMs: 500 });
  });
});

describe('virtual clock', () => {
  it('refuses media streams with 409 and the reason', async () => {
    const v = await startTestSim();
    try {
      const r = await refused(wsUrl(v, 'call_xxx'));
      expect(r.status).toBe(409);
      expect(r.body.error.message).toMatch(/media streams need --clock real/);
    } finally {
      await v.stop();
    }
  });
});
