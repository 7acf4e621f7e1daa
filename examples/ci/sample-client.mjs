#!/usr/bin/env node
/**
 * A tiny "client under test": what an app's integration test does against JagCall, pointed at
 * callsim instead of https://jagcall.com. It lists agents, places a call and reads it back.
 *
 *   JAGCALL_BASE_URL=http://127.0.0.1:4010/jagcall JAGCALL_API_KEY=jc_test_demo node sample-client.mjs
 *
 * With SAMPLE_CLIENT_BUG=1 it sends one request that breaks JagCall's contract (the call without its
 * `to` number), as a client with a bug would: callsim answers the vendor's 422, and the report
 * written at shutdown names the violation (and `--fail-on violations` fails the job).
 */
const base = process.env.JAGCALL_BASE_URL ?? 'http://127.0.0.1:4010/jagcall';
const key = process.env.JAGCALL_API_KEY ?? 'jc_test_demo';

async function jagcall(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

function check(what, ok) {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  if (!ok) process.exitCode = 1;
}

const agents = await jagcall('GET', '/v1/agents');
check('lists agents', agents.status === 200 && agents.body.data.length > 0);
const agent = agents.body.data[0].id;
const call = await jagcall('POST', '/v1/calls', { agent_id: agent, to: '+14155559876' });
check('places a call', call.status === 201);
const read = await jagcall('GET', `/v1/calls/${call.body.id}`);
check('reads the call back', read.status === 200 && read.body.id === call.body.id);
if (process.env.SAMPLE_CLIENT_BUG === '1') {
  const broken = await jagcall('POST', '/v1/calls', { agent_id: agent });
  check('the buggy request is refused with the vendor\'s 422', broken.status === 422);
}
