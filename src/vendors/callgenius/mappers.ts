import { callBooked, callSummary, callTranscript, isLive } from '../../sim/calls.js';
import { campaignStats } from '../../sim/campaigns.js';
import { findConversation, linesWithin } from '../../sim/conversations.js';
import type { Account, Agent, AvailableNumber, Call, Campaign, KnowledgeDoc, PhoneNumber } from '../../sim/types.js';
import type { World } from '../../sim/world.js';
import { SNAKE_STATUS } from '../shared/mappers.js';

/** Laravel serialises Carbon dates with microseconds: `2025-03-01T09:00:00.000000Z`. */
export const ts = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const tsOrNull = (ms: number | null): string | null => (ms === null ? null : ts(ms));

/** Sim ids are strings; CallGeni.us ids are integers (the docs' `agent_id: 42`). */
export const int = (id: string): number => Number(id);
const intOrNull = (id: string | null): number | null => (id === null ? null : Number(id));

/** The business (tenant) id an account stands for. */
export const tenantIdOf = (account: Account): number => Number(account.settings.tenantId);
export const tenantJson = (account: Account, activeAccountId: string) => ({
  id: tenantIdOf(account),
  name: account.name,
  active: account.id === activeAccountId,
});

export const SLIDERS = ['humour_level', 'empathy_level', 'formality_level', 'energy_level', 'directness_level'] as const;
export type Slider = (typeof SLIDERS)[number];
/** Spec defaults for sliders never set (humour is on a 0–30 scale, the rest 0–100). */
export const SLIDER_DEFAULTS: Record<Slider, number> = { humour_level: 10, empathy_level: 50, formality_level: 50, energy_level: 50, directness_level: 50 };
const SLIDER_MAX: Record<Slider, number> = { humour_level: 30, empathy_level: 100, formality_level: 100, energy_level: 100, directness_level: 100 };

function sliders(extra: Record<string, unknown>): Record<Slider, number> {
  const out = { ...SLIDER_DEFAULTS };
  for (const s of SLIDERS) if (typeof extra[s] === 'number') out[s] = extra[s] as number;
  return out;
}

/**
 * The instructions the agent actually runs with: the base prompt, then one line that turns the
 * sliders into words, so two agents with the same prompt but different personalities differ.
 */
function compileInstructions(a: { name: string; prompt: string | null; language: string; extra: Record<string, unknown> }): string {
  const s = sliders(a.extra);
  const base = a.prompt?.trim() || `You are ${a.name}, a voice agent.`;
  const scale = SLIDERS.map((k) => `${k.replace('_level', '')} ${s[k]}/${SLIDER_MAX[k]}`).join(', ');
  return `${base}\nSpeak ${a.language}. ${scale.charAt(0).toUpperCase()}${scale.slice(1)}.`;
}

function assignedNumber(world: World, a: Agent): PhoneNumber | undefined {
  const id = a.primaryNumberId ?? a.numberIds[0];
  return id ? world.store(a.accountId).numbers.get(id) : undefined;
}

export function agentSummaryJson(world: World, a: Agent) {
  return {
    id: int(a.id),
    name: a.name,
    voice: a.voice ?? 'aria',
    language: a.language,
    current_version: a.version,
    has_number: !!assignedNumber(world, a),
    status: a.status,
    created_at: ts(a.createdAt),
  };
}

export function agentJson(world: World, a: Agent) {
  const number = assignedNumber(world, a);
  // Object.assign, not spreads between keys: Node 20 builds those slowly, on every agent answer.
  return Object.assign(agentSummaryJson(world, a), { system_prompt: a.prompt }, sliders(a.extra), {
    compiled_instructions: compileInstructions(a),
    versions: a.versions.map((v) => ({ version: v.version, created_at: ts(v.createdAt) })),
    phone_number: number ? { id: int(number.id), phone_number: number.e164 } : null,
    updated_at: ts(a.updatedAt),
  });
}

export const agentVersionJson = (v: Agent['versions'][number]) => ({
  version: v.version,
  name: v.snapshot.name,
  voice: v.snapshot.voice ?? 'aria',
  language: v.snapshot.language,
  system_prompt: v.snapshot.prompt,
  ...sliders(v.snapshot.extra),
  created_at: ts(v.createdAt),
});

function disposition(world: World, c: Call): string | null {
  if (isLive(c) || !c.endedReason) return null;
  switch (c.endedReason) {
    case 'completed':
    case 'hangup':
      return callBooked(world, c) ? 'booked' : 'completed';
    case 'no-answer':
      return 'no_answer';
    default:
      return c.endedReason;
  }
}

export function callJson(world: World, c: Call) {
  const { summary, sentiment } = callSummary(world, c);
  return {
    id: int(c.id),
    agent_id: int(c.agentId),
    campaign_id: intOrNull(c.campaignId),
    direction: c.direction,
    from_number: c.from,
    to_number: c.to,
    status: SNAKE_STATUS[c.status],
    disposition: disposition(world, c),
    duration: isLive(c) ? null : Math.round(c.talkMs / 1000),
    summary,
    sentiment_score: sentiment,
    started_at: tsOrNull(c.answeredAt),
    ended_at: tsOrNull(c.endedAt),
    created_at: ts(c.createdAt),
  };
}

const turn = (speaker: 'agent' | 'callee', text: string, offsetMs: number) => ({
  speaker: speaker === 'agent' ? 'agent' : 'caller',
  text,
  offset_sec: Math.round(offsetMs / 10) / 100,
});

/**
 * The full transcript once it is ready; before that, the turns already spoken (finished lines of
 * the answered part), so a client polling a live call sees it grow.
 */
export function transcriptJson(world: World, c: Call, now: number) {
  if (c.transcriptReady) return callTranscript(world, c).map((t) => turn(t.speaker, t.text, t.offsetMs));
  // A live agent's call is what was really said, known once it ends: never the script's lines.
  if (c.liveAgent || c.turns) return (c.turns ?? []).map((t) => turn(t.speaker, t.text, t.offsetMs));
  const conv = findConversation(world.library, c.conversationId);
  if (!conv || c.answeredAt === null) return [];
  const elapsed = (c.endedAt ?? now) - c.answeredAt;
  return linesWithin(conv, c.talkMs)
    .filter((l) => c.endedAt !== null || l.startMs + l.durationMs <= elapsed)
    .map((l) => turn(l.speaker, l.text, l.startMs));
}

export function numberJson(world: World, n: PhoneNumber) {
  const agent = n.agentId ? world.store(n.accountId).agents.get(n.agentId) : undefined;
  return {
    id: int(n.id),
    phone_number: n.e164,
    country: n.country,
    type: n.type,
    agent_id: agent ? int(agent.id) : null,
    agent: agent ? { id: int(agent.id), name: agent.name } : null,
    status: n.status,
    created_at: ts(n.createdAt),
  };
}

export const availableJson = (n: AvailableNumber) => ({
  phone_number: n.e164,
  country: n.country,
  type: n.type,
  area_code: n.areaCode || null,
  locality: n.locality,
  monthly_cost_cents: n.monthlyCostCents,
});

export const campaignJson = (c: Campaign) => ({
  id: int(c.id),
  name: c.name,
  agent_id: int(c.agentId),
  status: c.status,
  target_count: c.targets.length,
  concurrency: c.concurrency,
  stats: campaignStats(c),
  created_at: ts(c.createdAt),
  started_at: tsOrNull(c.startedAt),
  completed_at: tsOrNull(c.completedAt),
});

export const knowledgeJson = (d: KnowledgeDoc) => ({
  id: int(d.id),
  filename: d.filename,
  mime_type: d.mimeType,
  size_bytes: d.sizeBytes,
  status: d.status,
  agent_ids: d.agentIds.map(int),
  created_at: ts(d.createdAt),
});
