import type { Callsim } from '../app.js';
import { peekCallMedia } from '../media/info.js';
import { callerJson } from '../media/stats.js';
import { mediaRefusal } from '../media/upgrade.js';
import { callDetailJson, callSummaryJson, clockJson, deliveryJson } from '../presenters.js';
import { listAgents } from '../sim/agents.js';
import { newestCalls } from '../sim/calls.js';
import { findConversation, linesWithin } from '../sim/conversations.js';
import type { Call } from '../sim/types.js';
import type { Delivery } from '../webhooks/dispatcher.js';

/** How many rows of each list a fresh page gets: enough for a demo, small enough to send at once. */
const SNAPSHOT_ROWS = 200;

const iso = (ms: number) => new Date(ms).toISOString();

/** A delivery row without its payload: the list never shows bodies and they can be large. */
export function deliveryRow(d: Delivery) {
  const { payload: _payload, ...row } = deliveryJson(d);
  return row;
}

/** The newest calls across accounts; reads only as many per account. */
function allCalls(sim: Callsim, limit = SNAPSHOT_ROWS): Call[] {
  return newestCalls(sim.world, sim.world.stores.keys(), {}, limit).items;
}

export function snapshotJson(sim: Callsim) {
  const deliveries = [...sim.webhooks.deliveries.values()].slice(-SNAPSHOT_ROWS);
  return {
    vendors: sim.vendors.map((v) => ({ name: v.name, title: v.adapter.title })),
    clock: clockJson(sim),
    calls: allCalls(sim).map((c) => callSummaryJson(sim, c)),
    deliveries: deliveries.map(deliveryRow),
    journal: sim.journal.entries({ limit: SNAPSHOT_ROWS }),
  };
}

/**
 * The admin call detail plus what has been said so far. The final transcript only exists once the
 * vendor would publish it (a few seconds after the end); a demo wants to watch the talk happen, so
 * while the call runs this gives the turns whose start time has passed, and when the next one is due
 * (the page sets one timer for it instead of polling).
 */
export function callPageJson(sim: Callsim, call: Call) {
  const detail = callDetailJson(sim, call);
  const now = sim.world.now();
  let live: Array<{ speaker: string; text: string; offset_sec: number }> = [];
  let nextTurnAt: string | null = null;
  if (!call.transcriptReady && call.answeredAt !== null) {
    const elapsed = (call.endedAt ?? now) - call.answeredAt;
    if (call.turns) {
      live = call.turns.filter((t) => t.offsetMs <= elapsed).map((t) => ({ speaker: t.speaker, text: t.text, offset_sec: t.offsetMs / 1000 }));
    } else if (!call.liveAgent) {
      // A live agent's call shows what was really said once known, never the script's lines.
      const conv = findConversation(sim.world.library, call.conversationId);
      const lines = conv ? linesWithin(conv, call.talkMs) : [];
      live = lines.filter((l) => l.startMs <= elapsed).map((l) => ({ speaker: l.speaker, text: l.text, offset_sec: l.startMs / 1000 }));
      const next = call.endedAt === null ? lines.find((l) => l.startMs > elapsed) : undefined;
      if (next) nextTurnAt = iso(call.answeredAt + next.startMs);
    }
  }
  const vendor = sim.world.accounts.get(call.accountId)?.namespace ?? '';
  return {
    ...detail,
    // A path, not the absolute link: the page may be opened under another host name than baseUrl.
    recording_path: detail.recording_url ? detail.recording_url.slice(sim.baseUrl.length) : null,
    live_transcript: live,
    next_turn_at: nextTurnAt,
    media_path: `/__sim/media/${vendor}/${encodeURIComponent(call.id)}`,
    // The media server's own rule (real clock, speed 1): the page explains it instead of failing a socket.
    listen_unavailable: mediaRefusal(sim),
    media_report: mediaReport(call),
  };
}

/** A live agent's turn latencies and underruns, with the simulated caller's report: the call page's "Agent under test". */
function mediaReport(call: Call) {
  const info = peekCallMedia(call);
  if (info?.mode !== 'agent') return null;
  return { turns: info.log?.latencies ?? [], underruns: info.underruns, caller: callerJson(info) };
}

/** What the forms offer: accounts with their agents and numbers (no admin route lists the last two). */
export function metaJson(sim: Callsim) {
  const accounts = [...sim.world.accounts.values()]
    .filter((a) => sim.vendor(a.namespace))
    .map((a) => {
      const store = sim.world.stores.get(a.id);
      return {
        id: a.id,
        vendor: a.namespace,
        name: a.name,
        agents: listAgents(sim.world, a.id).map((g) => ({ id: g.id, name: g.name })),
        numbers: [...(store?.numbers.values() ?? [])].map((n) => ({ e164: n.e164, agent_id: n.agentId ?? null })),
      };
    });
  return { vendors: sim.vendors.map((v) => ({ name: v.name, title: v.adapter.title })), accounts, config: configView(sim) };
}

function configView(sim: Callsim) {
  const o = sim.options;
  return { clock: o.clock, speed: o.speed, media: o.media, faults: o.faults };
}
