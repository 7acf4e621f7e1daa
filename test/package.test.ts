/**
 * The package a user installs: `npm pack`, installed into a scratch folder like any dependency, then
 * its CLI run and one request served. It must carry everything it needs at run time (specs,
 * validators, fixtures, audio, the dashboard) and nothing of the repository's own (tests, benchmarks,
 * build scripts).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'callsim-pkg-'));
let server: ChildProcess | undefined;
afterAll(() => {
  if (server?.pid && server.exitCode === null) process.kill(-server.pid, 'SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('the packed package', () => {
  it('installs from its tarball, runs `npx callsim --help` and serves a request', { timeout: 300_000 }, async () => {
    // The build ran as part of `npm test`: pack what it made, without running it again.
    const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], ROOT))[0];
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    expect(files.filter((f) => /^(test|bench|scripts)\//.test(f) || f.startsWith('dist/bench') || f.includes('build-validators'))).toEqual([]);
    for (const needed of ['dist/cli/cli.js', 'dist/src/cli.js', 'specs/jagcall.yaml', 'fixtures/jagcall.yaml', 'src/dashboard/assets/index.html'])
      expect(files).toContain(needed);
    expect(files.some((f) => f.startsWith('dist/validators/'))).toBe(true);

    const app = join(scratch, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(scratch, packed.filename)], app);
    expect(readdirSync(join(app, 'node_modules'))).toContain('callsim');

    const help = execFileSync('npx', ['callsim', '--help'], { cwd: app, encoding: 'utf8' });
    expect(help).toContain('--port');
    expect(help).toContain('CALLSIM_CLOCK');

    server = spawn('npx', ['callsim', '--port', '0', '--clock', 'virtual'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 30_000);
      const onData = (d: Buffer) => {
        out += d;
        const m = /callsim listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      server!.stdout!.on('data', onData);
      server!.stderr!.on('data', onData);
    });
    const r = await fetch(`${url}/jagcall/v1/agents`, { headers: { authorization: 'Bearer jc_test_demo' } });
    expect(r.status).toBe(200);
    expect((await r.json()).data[0].id).toBe('agt_xxx');
    expect((await fetch(`${url}/`)).status).toBe(200);
  });
});
