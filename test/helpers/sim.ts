import type http from 'node:http';
import { expect } from 'vitest';
import type { Callsim } from '../../src/app.js';
import type { OptionsInput } from '../../src/config.js';
import { startSimulator, type VendorAdapter } from '../../src/index.js';

/** What the helpers reach past HTTP for: the in-process instance and its server, from startSimulator(). */
interface RunningServer {
  sim: Callsim;
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

export const T0 = Date.parse('2026-01-01T12:00:00.000Z');

export interface ApiResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface TestSim {
  running: RunningServer;
  url: string;
  /** Calls a vendor API; every answer is checked against that vendor's spec. */
  api(
    vendor: string,
    method: string,
    path: string,
    opts?: { body?: unknown; raw?: string | Buffer; key?: string | null; headers?: Record<string, string>; skipContract?: boolean },
  ): Promise<ApiResult>;
  admin(method: string, path: string, body?: unknown): Promise<ApiResult>;
  advance(ms: number): Promise<void>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const DEMO_KEYS: Record<string, string> = {};

/** Starts a real server on a free port, virtual clock and fixed seed unless told otherwise. */
export async function startTestSim(opts: OptionsInput = {}, extra: { adapters?: VendorAdapter[] } = {}): Promise<TestSim> {
  const simulator = await startSimulator({ clock: 'virtual', seed: 42, startTime: T0, vendors: process.env.CALLSIM_TEST_VENDORS?.split(','), ...opts }, extra);
  const running: RunningServer = { sim: simulator.callsim, server: simulator.server, url: simulator.url, close: simulator.stop };
  for (const r of running.sim.vendors) DEMO_KEYS[r.adapter.name] = r.adapter.demoKey;
  const read = async (res: Response): Promise<ApiResult> => {
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body, text };
  };
  const sim: TestSim = {
    running,
    url: running.url,
    async api(vendor, method, path, o = {}) {
      const runtime = running.sim.vendor(vendor)!;
      const headers: Record<string, string> = { ...o.headers };
      const key = o.key === undefined ? DEMO_KEYS[vendor] : o.key;
      if (key) headers.authorization ??= `Bearer ${key}`;
      let body: string | Buffer | undefined = o.raw;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const payload = Buffer.isBuffer(body) ? new Uint8Array(body) : body;
      const res = await read(await fetch(running.url + runtime.adapter.prefix + path, { method, headers, body: payload }));
      if (!o.skipContract) assertContract(running, vendor, method, path, res);
      return res;
    },
    async admin(method, path, body) {
      return read(
        await fetch(`${running.url}/__sim${path}`, {
          method,
          headers: body !== undefined ? { 'content-type': 'application/json' } : {},
          body: body !== undefined ? JSON.stringify(body) : undefined,
        }),
      );
    },
    advance: async (ms) => {
      const r = await sim.admin('POST', '/clock/advance', { ms });
      expect(r.status).toBe(200);
    },
    reset: async () => {
      const r = await sim.admin('POST', '/reset', {});
      expect(r.status).toBe(200);
    },
    stop: () => running.close(),
  };
  return sim;
}

/** The response must match the spec's schema for its operation and status (the shared self-check). */
function assertContract(running: RunningServer, vendor: string, method: string, path: string, res: ApiResult): void {
  const runtime = running.sim.vendor(vendor)!;
  const m = runtime.router.match(method, path.split('?')[0]);
  if (m.kind !== 'found') return;
  const violations = runtime.validator.validateResponse(
    m.op,
    res.status,
    res.status === 204 ? undefined : res.body,
    res.headers.get('content-type') ?? undefined,
  );
  expect(violations, `${vendor} ${method} ${path} → ${res.status} must match its spec: ${res.text.slice(0, 300)}`).toEqual([]);
}
