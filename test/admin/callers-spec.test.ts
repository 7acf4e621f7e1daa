/**
 * The simulated-caller and load-run endpoints against specs/admin.yaml, with the same checks as
 * admin-spec.test.ts (every request the test means as good matches the document, every answer's
 * status and body are documented). Load runs that really run need the real clock: their
 * successful answers are checked the same way in test/media/load.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallOpts, send } from '../helpers/admin-spec.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';

let sim: TestSim;
const admin = (method: string, path: string, o: CallOpts = {}) => send(sim.url, method, path, o);

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.stop());

const reschedule = {
  persona: 'A patient who wants to move an appointment',
  language: 'en',
  lines: [
    { text: 'Hello?', after: 0 },
    { text: 'I would like to move my appointment to Friday.', expect: { answerWithinMs: 1500, speaks: true } },
    { keys: '1', after: { bargeInMs: 300 }, expect: { yieldsWithinMs: 400 } },
    { text: 'Thank you, bye.', hangup: true, silentMs: 200 },
  ],
  expect: { maxInterruptions: 0, endedBy: 'caller' },
};

describe('callers', () => {
  it('PUT creates (201) then replaces (200); GET and the list show the document and each line’s voice; DELETE forgets it', async () => {
    expect((await admin('GET', '/__sim/callers')).body).toEqual({ data: [], total: 0 });
    const created = await admin('PUT', '/__sim/callers/reschedule', { body: reschedule });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'reschedule', source: 'api', file: null, persona: reschedule.persona, language: 'en', lines: 4 });
    expect(created.body.voices.map((v: { voice: string; clip: string | null }) => [v.voice, v.clip])).toEqual([
      ['clip', 'en-booking/01-callee.wav'],
      ['placeholder', null],
      ['none', null],
      ['clip', 'en-booking/09-callee.wav'],
    ]);
    expect(created.body.document).toEqual(reschedule);
    const replaced = await admin('PUT', '/__sim/callers/reschedule', { body: { language: 'tr', lines: [{ text: 'Alo?' }] } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.voices[0]).toEqual({ line: 1, voice: 'clip', clip: 'tr-booking/01-callee.wav', durationMs: expect.any(Number) });
    const list = await admin('GET', '/__sim/callers');
    expect(list.body.total).toBe(1);
    expect(list.body.data[0].language).toBe('tr');
    expect((await admin('GET', '/__sim/callers/reschedule')).body.document.lines).toEqual([{ text: 'Alo?' }]);
    expect((await admin('DELETE', '/__sim/callers/reschedule')).status).toBe(204);
    expect((await admin('GET', '/__sim/callers/reschedule')).status).toBe(404);
    expect((await admin('DELETE', '/__sim/callers/reschedule')).status).toBe(404);
  });

  it('refuses documents that break the Caller schema, naming the field, and WAV files it cannot read', async () => {
    const bad: Array<[unknown, string]> = [
      [{ lines: [{ text: 'hi' }] }, 'language'],
      [{ language: 'en', lines: [] }, 'lines'],
      [{ language: 'en', lines: [{ after: 'agent' }] }, 'lines.0'],
      [{ language: 'en', lines: [{ text: 'hi', after: 'later' }] }, 'lines.0.after'],
      [{ language: 'en', lines: [{ keys: '12x' }] }, 'lines.0.keys'],
      [{ language: 'en', lines: [{ text: 'hi', expect: {} }] }, 'lines.0.expect'],
      [{ language: 'en', lines: [{ text: 'hi' }], expect: { endedBy: 'nobody' } }, 'expect.endedBy'],
      [{ language: 'en', lines: [{ text: 'hi', audio: 'x.mp3' }] }, 'lines.0.audio'],
    ];
    for (const [body, field] of bad) {
      const r = await admin('PUT', '/__sim/callers/x', { body, invalid: true });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
      expect(
        r.body.error.details.map((d: { field: string }) => d.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    // A path that breaks the document names no resource: 404, as for every admin path.
    const badName = await admin('PUT', '/__sim/callers/-x', { body: reschedule, invalid: true });
    expect(badName.status).toBe(404);
    const missing = await admin('PUT', '/__sim/callers/x', { body: { language: 'en', lines: [{ text: 'hi' }, { audio: '/nonexistent/hello.wav' }] } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toEqual({ code: 'invalid_caller', message: 'lines.1.audio: cannot read /nonexistent/hello.wav: no such file' });
    expect((await admin('GET', '/__sim/callers')).body.total).toBe(0);
  });

  it('bounds the audio one document can make the server render and keep: 10 minutes a caller, 60 in all, 200 callers', async () => {
    // 450 lines of 2,000 characters would be over 7 hours of placeholder speech (60 s a line).
    const long = (n: number, tag: string) => ({ language: 'en', lines: Array.from({ length: n }, (_, i) => ({ text: `${tag}${i} `.padEnd(2000, 'x') })) });
    const t0 = performance.now();
    const tooMuch = await admin('PUT', '/__sim/callers/marathon', { body: long(450, 'a') });
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error.code).toBe('invalid_caller');
    // Ten one-minute lines fit; the eleventh is the one named.
    expect(tooMuch.body.error.message).toMatch(/^lines\.10\.text: saying this line takes 1\.0 min, more than the 0\.0 min of audio this caller has left/);
    expect((await admin('GET', '/__sim/callers/marathon')).status).toBe(404);
    // Six callers of ten minutes fill the library; a seventh is refused, replacing one is not.
    for (let i = 0; i < 6; i++) expect((await admin('PUT', `/__sim/callers/full${i}`, { body: long(10, `c${i}`) })).status).toBe(201);
    const seventh = await admin('PUT', '/__sim/callers/full6', { body: long(1, 'd') });
    expect(seventh.status).toBe(400);
    expect(seventh.body.error.message).toMatch(/^lines\.0\.text: .*0\.0 min of audio this caller has left.*all callers 60\)$/);
    expect((await admin('PUT', '/__sim/callers/full0', { body: long(10, 'e') })).status).toBe(200);
    for (let i = 0; i < 6; i++) expect((await admin('DELETE', `/__sim/callers/full${i}`)).status).toBe(204);
    for (let i = 0; i < 200; i++) expect((await admin('PUT', `/__sim/callers/n${i}`, { body: { language: 'en', lines: [{ keys: '1' }] } })).status).toBe(201);
    const over = await admin('PUT', '/__sim/callers/n200', { body: { language: 'en', lines: [{ keys: '1' }] } });
    expect(over.status).toBe(400);
    expect(over.body.error.message).toMatch(/^name: callsim holds at most 200 callers/);
    for (let i = 0; i < 200; i++) await admin('DELETE', `/__sim/callers/n${i}`);
  });

  it('a scenario rule may name a caller; a reset keeps the callers', async () => {
    expect((await admin('PUT', '/__sim/callers/reschedule', { body: reschedule })).status).toBe(201);
    const set = await admin('PUT', '/__sim/config', { body: { scenarios: [{ toPrefix: '+1555', outcome: 'answered', caller: 'reschedule' }] } });
    expect(set.body.scenarios).toEqual([{ toPrefix: '+1555', outcome: 'answered', caller: 'reschedule' }]);
    const bad = await admin('PUT', '/__sim/config', { body: { scenarios: [{ outcome: 'answered', caller: 'no spaces please' }] }, invalid: true });
    expect(bad.status).toBe(400);
    expect((await admin('POST', '/__sim/reset', { body: {} })).status).toBe(200);
    expect((await admin('GET', '/__sim/callers')).body.total).toBe(1);
    expect((await admin('PUT', '/__sim/config', { body: { scenarios: [] } })).status).toBe(200);
  });
});

describe('load runs (virtual clock)', () => {
  it('POST /load is refused with 409 on a virtual clock, and with 400 for what the body names but the server lacks', async () => {
    const off = await admin('POST', '/__sim/load', { body: { count: 1, ratePerSec: 1, mediaUrl: 'ws://127.0.0.1:9/' } });
    expect(off.status).toBe(409);
    expect(off.body.error.code).toBe('media_unavailable');
    const real = await startTestSim({ clock: 'real' });
    try {
      const post = (body: unknown, o: Partial<CallOpts> = {}) => send(real.url, 'POST', '/__sim/load', { body, ...o });
      const cases: Array<[unknown, string]> = [
        [{ count: 1, ratePerSec: 1, vendor: 'nope', agent: 'a' }, 'unknown_vendor'],
        [{ count: 1, ratePerSec: 1, vendor: 'jagcall', agent: 'agt_nope' }, 'unknown_agent'],
        [{ count: 1, ratePerSec: 1, vendor: 'jagcall', agent: 'agt_xxx', account: 'jc_nope' }, 'unknown_account'],
        [{ count: 1, ratePerSec: 1, vendor: 'jagcall', agent: 'agt_xxx' }, 'no_media_url'],
        [{ count: 1, ratePerSec: 1, mediaUrl: 'ws://127.0.0.1:9/', caller: 'nobody' }, 'unknown_caller'],
      ];
      for (const [body, code] of cases) {
        const r = await post(body);
        expect(r.status, code).toBe(400);
        expect(r.body.error.code).toBe(code);
      }
      for (const body of [
        { count: 1, ratePerSec: 1 },
        { count: 0, ratePerSec: 1, mediaUrl: 'ws://x/' },
        { count: 1, ratePerSec: 0, mediaUrl: 'ws://x/' },
        { count: 1, ratePerSec: 1, mediaUrl: 'http://x/' },
        { count: 1, ratePerSec: 1, mediaUrl: 'ws://x/', conditions: { latencyMs: -1 } },
        { count: 1, ratePerSec: 1, mediaUrl: 'ws://x/', conditions: { volume: 1 } },
        { count: 1, ratePerSec: 1, vendor: 'jagcall' },
      ]) {
        const r = await post(body, { invalid: true });
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.error.code).toBe('invalid_request');
      }
      // Running runs together have at most 10,000 calls to place or finish.
      const big = await post({ count: 9999, ratePerSec: 1, mediaUrl: 'ws://127.0.0.1:9/' });
      expect(big.status).toBe(202);
      expect((await post({ count: 1, ratePerSec: 1, mediaUrl: 'ws://127.0.0.1:9/' })).status).toBe(202);
      const busy = await post({ count: 1, ratePerSec: 1, mediaUrl: 'ws://127.0.0.1:9/' });
      expect(busy.status).toBe(409);
      expect(busy.body.error.code).toBe('load_busy');
      expect((await send(real.url, 'DELETE', `/__sim/load/${big.body.id}`)).status).toBe(200);
      expect((await post({ count: 1, ratePerSec: 1, mediaUrl: 'ws://127.0.0.1:9/' })).status).toBe(202);
    } finally {
      await real.stop();
    }
  });

  it('GET and DELETE /load/{id} answer 404 for a run that does not exist', async () => {
    expect((await admin('GET', '/__sim/load/load_99')).status).toBe(404);
    expect((await admin('DELETE', '/__sim/load/load_99')).status).toBe(404);
  });
});
