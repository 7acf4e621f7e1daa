import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSim } from '../helpers/sim.js';
import { captureLog, connect, createCall, startMediaSim, wsUrl } from './helpers.js';

let sim: TestSim;
let log: Array<Record<string, any>>;
beforeAll(async () => {
  sim = await startMediaSim({ scenarios: [{ toPrefix: '+1556', outcome: 'answered', ringSec: 1.5 }] });
  log = captureLog(sim);
});
afterAll(() => sim.stop());

const session = async (streamSid: string) => (await sim.admin('GET', '/media/sessions')).body.data.find((s: any) => s.streamSid === streamSid);

describe.concurrent('bad input', () => {
  it('is ignored and counted; the stream and every other stream carry on', async () => {
    const bystander = await connect(wsUrl(sim, await createCall(sim)));
    const c = await connect(wsUrl(sim, await createCall(sim), 'role=agent&nudgeMs=60000'));
    await c.until(() => c.events('start').length && bystander.events('start').length, 3000, 'start');
    const sid = c.streamSid;
    const bad = [
      'not json at all',
      '[1,2]',
      '{"event":',
      JSON.stringify({ event: 'wat' }),
      JSON.stringify({ event: 'media', media: { payload: '@@@@' } }),
      JSON.stringify({ event: 'media', media: { payload: 'abc' } }),
      JSON.stringify({ event: 'media', media: {} }),
      JSON.stringify({ event: 'media', streamSid: 'MZother', media: { payload: Buffer.alloc(160).toString('base64') } }),
      JSON.stringify({ event: 'dtmf', dtmf: { digit: 'x' } }),
      JSON.stringify({ event: 'mark', mark: { name: 42 } }),
    ];
    for (const b of bad) c.send(b);
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await new Promise((r) => setTimeout(r, 200));
    const s = await session(sid);
    expect(s.badMessages).toBe(bad.length + 1);
    expect(s.lastBadMessage).toMatch(/binary/);
    // Each rejected message is logged at info with its reason.
    const rejected = log.filter((l) => l.streamSid === sid && l.msg === 'media message rejected');
    expect(rejected).toHaveLength(bad.length + 1);
    expect(rejected.every((l) => l.level === 30 && typeof l.reason === 'string')).toBe(true);
    expect(rejected[0].reason).toBe('not JSON');
    expect(c.closed).toBeNull();
    const before = c.media().length;
    const other = bystander.media().length;
    await c.until(() => c.media().length > before + 10 && bystander.media().length > other + 10, 3000, 'frames still flowing');
    // Good input still works after the bad.
    c.send({ event: 'mark', streamSid: sid, mark: { name: 'still-here' } });
    await c.until(() => c.events('mark').length, 2000, 'mark');
    await c.close();
    await bystander.close();
  });

  it('ignores media before start and on a listen stream', async () => {
    const id = await createCall(sim, '+15565550100');
    const c = await connect(wsUrl(sim, id, 'role=agent'));
    c.send({ event: 'media', media: { payload: Buffer.alloc(160, 0xff).toString('base64') } });
    await c.until(() => c.events('start').length, 3000, 'start');
    const l = await connect(wsUrl(sim, id));
    await l.until(() => l.events('start').length, 3000, 'start');
    l.send({ event: 'media', streamSid: l.streamSid, media: { payload: Buffer.alloc(160, 0xff).toString('base64') } });
    await new Promise((r) => setTimeout(r, 100));
    expect((await session(c.streamSid)).lastBadMessage).toMatch(/media before start/);
    expect((await session(l.streamSid)).lastBadMessage).toMatch(/receive-only/);
    await l.close();
    await c.close();
  });

  it('closes a flooding client with 1008 and a reason, without disturbing others', async () => {
    const bystander = await connect(wsUrl(sim, await createCall(sim)));
    const c = await connect(wsUrl(sim, await createCall(sim), 'role=agent'));
    await c.until(() => c.events('start').length && bystander.events('start').length, 3000, 'start');
    const frame = JSON.stringify({ event: 'media', streamSid: c.streamSid, media: { payload: Buffer.alloc(160, 0xff).toString('base64') } });
    for (let i = 0; i < 3000 && c.ws.readyState === c.ws.OPEN; i++) c.ws.send(frame);
    await c.until(() => c.closed, 3000, 'close');
    expect(c.closed).toEqual({ code: 1008, reason: expect.stringMatching(/message flood/) });
    const n = bystander.media().length;
    await bystander.until(() => bystander.media().length > n + 10, 2000, 'the bystander still streaming');
    await bystander.close();
  });

  it('closes a client whose one message is over 1 MiB with 1009, without disturbing others', async () => {
    const bystander = await connect(wsUrl(sim, await createCall(sim)));
    const c = await connect(wsUrl(sim, await createCall(sim), 'role=agent&nudgeMs=60000'));
    await c.until(() => c.events('start').length && bystander.events('start').length, 3000, 'start');
    const sid = c.streamSid;
    c.send({ event: 'media', streamSid: sid, media: { payload: Buffer.alloc(800_000, 0xff).toString('base64') } });
    await c.until(() => c.closed, 3000, 'close');
    expect(c.closed!.code).toBe(1009);
    const n = bystander.media().length;
    await bystander.until(() => bystander.media().length > n + 10, 2000, 'the bystander still streaming');
    expect(log.find((l) => l.streamSid === sid && l.msg === 'media stream closed')).toEqual(expect.objectContaining({ level: 30, code: 1009 }));
    await bystander.close();
  });

  it('closes a client that only sends garbage after 100 bad messages', async () => {
    const c = await connect(wsUrl(sim, await createCall(sim), 'role=agent'));
    await c.until(() => c.events('start').length, 3000, 'start');
    for (let i = 0; i < 101; i++) c.send('garbage');
    await c.until(() => c.closed, 3000, 'close');
    expect(c.closed).toEqual({ code: 1008, reason: 'too many bad messages; last: not JSON' });
  });
});

describe('shutdown', () => {
  it('sends stop and closes every stream with 1001', async () => {
    const other = await startMediaSim();
    const id = await createCall(other);
    const a = await connect(wsUrl(other, id, 'role=agent'));
    const b = await connect(wsUrl(other, id));
    await b.until(() => a.events('start').length && b.events('start').length, 3000, 'start');
    await other.stop();
    for (const c of [a, b]) {
      await c.until(() => c.closed, 2000, 'close');
      expect(c.closed!.code).toBe(1001);
      expect(c.got.at(-1)!.msg.event).toBe('stop');
    }
  });
});
