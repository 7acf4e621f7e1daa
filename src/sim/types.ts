/** The vendor-neutral world model. Plain data only, so a snapshot is JSON of these. */

export type CallStatus = 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';
export const FINAL_STATUSES: ReadonlySet<CallStatus> = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
export type EndedReason = 'completed' | 'voicemail' | 'busy' | 'no-answer' | 'failed' | 'canceled' | 'hangup';
export type Direction = 'inbound' | 'outbound';
export type Outcome = 'answered' | 'voicemail' | 'busy' | 'no-answer' | 'failed';

export interface IdScheme {
  /** `prefix` + random hex (`ag_` + 4 hex), or an integer counter. */
  [kind: string]: { style: 'hex'; prefix: string; length: number } | { style: 'int'; start: number };
}

export interface Account {
  id: string;
  /** Opaque to the sim: the vendor that owns this account. */
  namespace: string;
  name: string;
  keys: string[];
  revokedKeys: string[];
  idScheme: IdScheme;
  counters: Record<string, number>;
  /** Free-form per-account settings the vendor keeps (plan, tenant name…). */
  settings: Record<string, unknown>;
  billing: Billing;
  createdAt: number;
}

export interface Billing {
  plan: string;
  currency: string;
  balanceCents: number;
  includedMinutes: number;
  trialMinutesRemaining: number;
  minutesUsed: number;
  calls: number;
  smsSent: number;
  smsReceived: number;
  periodStart: number;
}

interface AgentVersion {
  version: number;
  snapshot: AgentFields;
  createdAt: number;
}

export interface AgentFields {
  name: string;
  voice: string | null;
  language: string;
  languages: string[];
  multilingual: boolean;
  prompt: string | null;
  firstMessage: string | null;
  direction: Direction;
  mediaUrl: string | null;
  /** Sent as `start.customParameters` when callsim dials `mediaUrl` (Twilio's <Parameter> elements). */
  mediaParameters: Record<string, string> | null;
  /** Vendor-specific settings (personality sliders…), kept and versioned as given. */
  extra: Record<string, unknown>;
}

export interface Agent extends AgentFields {
  id: string;
  accountId: string;
  status: 'active' | 'inactive' | 'archived';
  numberIds: string[];
  primaryNumberId: string | null;
  version: number;
  versions: AgentVersion[];
  createdAt: number;
  updatedAt: number;
  /** Set when deletion waits for live calls to finish. */
  deletePending: boolean;
}

export type NumberType = 'local' | 'mobile' | 'tollfree';

export interface AvailableNumber {
  e164: string;
  country: string;
  type: NumberType;
  areaCode: string;
  locality: string | null;
  monthlyCostCents: number;
  capabilities: string[];
}

export interface PhoneNumber extends AvailableNumber {
  id: string;
  accountId: string;
  agentId: string | null;
  status: 'active';
  createdAt: number;
  updatedAt: number;
}

export interface TimelineEntry {
  status: CallStatus;
  at: number;
}

/**
 * A call as readers and snapshots see it. The store keeps each one as a compact `CallRecord`
 * (record.ts) whose getters give this shape and whose JSON is this record.
 */
export interface Call {
  id: string;
  accountId: string;
  agentId: string;
  direction: Direction;
  from: string;
  to: string;
  status: CallStatus;
  endedReason: EndedReason | null;
  outcome: Outcome;
  conversationId: string | null;
  language: string;
  metadata: Record<string, unknown>;
  campaignId: string | null;
  createdAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  /** Planned talk time, exact milliseconds: the recording is this long. */
  talkMs: number;
  timeline: TimelineEntry[];
  transcriptReady: boolean;
  recordingReady: boolean;
  costCents: number;
  /** Per-call media settings (latency…) chosen by the client. */
  media: Record<string, number>;
  /** When each step happens; kept on the call so a restored snapshot can re-arm the timers. */
  plan: CallPlan;
  /** Booking made during the call, if the script made one. */
  booking: Record<string, unknown> | null;
  /**
   * What was really said when a live media client played the agent: replaces the script's lines
   * in the transcript (`agent` turns carry no text, only their timing).
   */
  turns?: Array<{ speaker: 'agent' | 'callee'; text: string; offsetMs: number }> | null;
  /** True while a live media session, not the plan, decides when the call ends. */
  liveControlled?: boolean;
  /**
   * Set when a live media client was the agent: the call's summary and sentiment come from what
   * happened on it (filled in when it ends), never from the script's canned outcome.
   */
  liveAgent?: { summary: string | null; sentiment: number | null } | null;
  /** Why the call ended as it did when its status alone does not say (an inbound call no agent answered). */
  note?: string;
}

export interface CallPlan {
  ringingAt: number | null;
  answeredAt: number | null;
  endAt: number;
  final: CallStatus;
  reason: EndedReason;
}

export interface SmsMessage {
  id: string;
  accountId: string;
  conversationId: string;
  direction: Direction;
  from: string;
  to: string;
  body: string;
  status: 'queued' | 'sent' | 'delivered' | 'failed' | 'received';
  createdAt: number;
}

export interface SmsConversation {
  id: string;
  accountId: string;
  contact: string;
  number: string;
  lastMessage: string;
  messageCount: number;
  updatedAt: number;
}

export interface CampaignTarget {
  phone: string;
  name: string | null;
  state: 'pending' | 'dialling' | 'completed' | 'failed';
  callId: string | null;
}

export interface Campaign {
  id: string;
  accountId: string;
  name: string;
  agentId: string;
  status: 'draft' | 'running' | 'paused' | 'completed';
  concurrency: number;
  targets: CampaignTarget[];
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
}

export interface KnowledgeDoc {
  id: string;
  accountId: string;
  filename: string;
  mimeType: string;
  sizeBytes: number;
  status: 'processing' | 'ready' | 'failed';
  agentIds: string[];
  createdAt: number;
}

export interface User {
  id: string;
  email: string;
  password: string;
  accountIds: string[];
}

export interface Session {
  token: string;
  userId: string | null;
  accountId: string;
  /** When a login token stops working (sim time); API keys do not expire. */
  expiresAt?: number;
  /**
   * Documentation placeholders this key reads as real values (`"<your-assistant-id>"` → `ag_123`):
   * only the docs key has them, so a page's example replays verbatim while the demo key refuses it.
   */
  aliases?: Record<string, string>;
  /** A key minted read-only may read but not change anything (the vendor's 403). */
  role?: 'read-only';
}
