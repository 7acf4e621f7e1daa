import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './targets.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

/** `callsim` from process start to the first 200 of /__sim/health, and its idle RSS. */
export async function benchStartup(): Promise<{ firstAnswerMs: number; idleRssMb: number }> {
  const port = await freePort();
  const t = performance.now();
  const child = spawn(process.execPath, [CLI, '--port', String(port), '--log-level', 'silent'], { stdio: 'ignore' });
  let firstAnswerMs = -1;
  for (let i = 0; i < 400 && firstAnswerMs < 0; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/__sim/health`);
      if (r.status === 200) firstAnswerMs = Math.round(performance.now() - t);
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const idleRssMb = Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  child.kill('SIGKILL');
  return { firstAnswerMs, idleRssMb };
}
