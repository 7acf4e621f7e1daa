import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './targets.js';

// The command line as installed: the bundle the build makes (scripts/bundle-cli.mjs).
const CLI = fileURLToPath(new URL('../cli/cli.js', import.meta.url));

/** A node:http server with nothing else: what any Node server pays to start on this machine now. */
const BARE = "require('node:http').createServer((q, s) => s.end('{}')).listen(Number(process.argv[1]), '127.0.0.1')";

/** Spawns a server and times process start to its first 200 on `path`; the process is left running. */
async function firstAnswer(args: string[], port: number, path: string): Promise<{ ms: number; pid: number; kill: () => void }> {
  const t = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  let ms = -1;
  for (let i = 0; i < 2000 && ms < 0; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      if (r.status === 200) ms = Math.round(performance.now() - t);
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  return { ms, pid: child.pid!, kill: () => child.kill('SIGKILL') };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * `callsim` from process start to the first 200 of /__sim/health (the median of five starts, each
 * right after a bare node:http server's start on the same machine, for scale), and its idle RSS.
 */
export async function benchStartup(): Promise<{ firstAnswerMs: number; starts: number[]; bareMs: number; idleRssMb: number }> {
  const starts: number[] = [];
  const bare: number[] = [];
  let idleRssMb = 0;
  for (let i = 0; i < 5; i++) {
    const bp = await freePort();
    const bs = await firstAnswer(['-e', BARE, String(bp)], bp, '/');
    bs.kill();
    bare.push(bs.ms);
    const port = await freePort();
    const c = await firstAnswer([CLI, '--port', String(port), '--log-level', 'silent'], port, '/__sim/health');
    starts.push(c.ms);
    if (i === 0) {
      await new Promise((r) => setTimeout(r, 1000));
      const status = readFileSync(`/proc/${c.pid}/status`, 'utf8');
      idleRssMb = Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    }
    c.kill();
  }
  return { firstAnswerMs: median(starts), starts, bareMs: median(bare), idleRssMb };
}
