/**
 * Only the user at the keyboard drives callsim's control plane: not a web page they visit (cross-site
 * requests, DNS rebinding), not a webhook callsim sends to itself, not a form post.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestSim, type TestSim } from '../helpers/sim.js';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim({ allowedHosts: ['callsim.test'] });
});
afterAll(() => sim.stop());

/** A raw request, so `Host` and the browser's headers are exactly what a test says. */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: any }> {
  const u = new URL(sim.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method, path, headers: { ...headers, ...(body && { 'content-length': Buffer.byteLength(body) }) } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const subscriptionCount = async () => (await sim.admin('GET', '/webhooks/subscriptions')).body.data.length;

describe('cross-site requests', () => {
  it("refuses a page's request by its Origin or Sec-Fetch-Site, and changes nothing", async () => {
    const before = await subscriptionCount();
    const body = JSON.stringify({ vendor: 'jagcall', url: 'https://attacker.example/steal' });
    for (const headers of <Array<Record<string, string>>>[
      { origin: 'https://attacker.example' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
      { origin: 'http://127.0.0.1.attacker.example' },
    ]) {
      const r = await raw('POST', '/__sim/webhooks/subscriptions', { 'content-type': 'application/json', ...headers }, body);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.json.error.code).toBe('cross_site');
    }
    const reset = await raw('POST', '/__sim/reset', { 'content-type': 'application/json', origin: 'https://attacker.example' }, '{}');
    expect(reset.status).toBe(403);
    expect(await subscriptionCount()).toBe(before);
  });

  it('lets a local page and the same origin through', async () => {
    for (const origin of [sim.url, 'http://localhost:5173', 'http://callsim.test:8080']) {
      const r = await raw('GET', '/__sim/health', { origin, 'sec-fetch-site': 'same-site' });
      expect(r.status, origin).toBe(200);
    }
  });

  it('refuses form and text bodies, what a cross-site form or fetch without preflight can send (415)', async () => {
    const before = await subscriptionCount();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await raw(
        'POST',
        '/__sim/webhooks/subscriptions',
        { 'content-type': type },
        JSON.stringify({ vendor: 'jagcall', url: 'https://attacker.example/x' }),
      );
      expect(r.status, type).toBe(415);
    }
    expect(await subscriptionCount()).toBe(before);
  });
});

describe('DNS rebinding', () => {
  it('answers only requests whose Host names this machine (admin API, dashboard)', async () => {
    const port = new URL(sim.url).port;
    for (const path of ['/__sim/state', '/__sim/journal', '/', '/assets/app.js']) {
      const r = await raw('GET', path, { host: `attacker.example:${port}` });
      expect(r.status, path).toBe(403);
      expect(r.json.error.code).toBe('host_not_allowed');
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `app.localhost:${port}`, `[::1]:${port}`, `callsim.test:${port}`]) {
      expect((await raw('GET', '/__sim/health', { host })).status, host).toBe(200);
    }
  });

  it('checks Origin and Host on media WebSocket upgrades too', async () => {
    const refused = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/__sim/media/jagcall/call_xxx`, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => undefined);
      });
    expect(await refused({ origin: 'https://attacker.example' })).toBe(403);
    expect(await refused({ host: 'attacker.example' })).toBe(403);
    // A local page passes the gate (the virtual clock then refuses media with 409, not 403).
    expect(await refused({ origin: sim.url })).toBe(409);
  });
});

describe('webhooks never drive callsim', () => {
  it('a request that carries a webhook delivery header is refused by the admin API', async () => {
    const r = await raw('POST', '/__sim/reset', { 'content-type': 'application/json', 'x-callsim-delivery': 'whd_000001' }, '{}');
    expect(r.status).toBe(403);
  });

  it("a vendor webhook pointed at callsim's own control plane is refused at delivery, by any name, and does nothing", async () => {
    const port = new URL(sim.url).port;
    const key = 'clg_test_demo';
    for (const url of [`http://127.0.0.1:${port}/__sim/reset`, `http://localhost:${port}/__sim/keys/jc_test_demo/revoke`]) {
      const created = await sim.api('calleague', 'POST', '/api/core/webhook', { body: { url, events: ['call.started', 'call.status', 'call.ended'] }, key });
      expect(created.status).toBe(201);
    }
    const call = await sim.api('calleague', 'POST', '/api/core/voice/agent/call', { body: { agentId: 'ag_123', to: '+14155550142' } });
    expect(call.status).toBeLessThan(300);
    await sim.advance(20_000);
    // Not reset (the new call is still there), the JagCall key still works.
    expect((await sim.api('calleague', 'GET', `/api/core/voice/call/${call.body.callId}`)).status).toBe(200);
    expect((await sim.api('jagcall', 'GET', '/v1/agents')).status).toBe(200);
    const deliveries = (await sim.admin('GET', '/webhooks/deliveries?vendor=calleague')).body.data;
    expect(deliveries.length).toBeGreaterThan(0);
    for (const d of deliveries) {
      expect(d.state).toBe('failed');
      expect(d.attempts).toHaveLength(1);
      expect(d.attempts[0].error).toMatch(/^refused: .* is callsim itself/);
    }
  });

  it('never echoes credentials in receiver URLs (admin listings, vendor listings, delivery log)', async () => {
    const url = 'http://alice:s3cret-pass@127.0.0.1:9/hook';
    const admin = await sim.admin('POST', '/webhooks/subscriptions', { vendor: 'jagcall', url });
    expect(admin.status).toBe(201);
    expect(JSON.stringify((await sim.admin('GET', '/webhooks/subscriptions')).body)).not.toContain('s3cret-pass');
    await sim.api('calleague', 'POST', '/api/core/webhook', { body: { url, events: ['call.ended'] } });
    const listed = await sim.api('calleague', 'GET', '/api/core/webhook/list');
    expect(listed.text).not.toContain('s3cret-pass');
    expect(listed.text).toContain('***@127.0.0.1:9');
    await sim.api('jagcall', 'POST', '/v1/calls', { body: { agent_id: 'agt_xxx', to: '+14155559876' } });
    await sim.advance(20_000);
    expect(JSON.stringify((await sim.admin('GET', '/webhooks/deliveries')).body)).not.toContain('s3cret-pass');
  });
});
