/**
 * What the shared conformance suite needs to know of each vendor: one list, one record of the
 * demo account, one of the second account, one JSON create, and the vendor's statuses and
 * pagination parameters. Everything else is asserted the same way for all.
 */
export interface Probe {
  vendor: string;
  otherKey: string;
  list: string;
  /** Pagination: names of the page and size parameters and the largest size allowed. */
  page?: { page: string; size: string; max: number };
  /** A record the demo account owns, and one the second account owns (same kind). */
  own: string;
  foreign: string;
  unknown: string;
  create: { path: string; body: Record<string, unknown>; wrongTypes: Record<string, unknown>; field: string };
  validationStatus: number;
  /**
   * What a JSON body sent with another Content-Type (or none) answers: the vendor's documented
   * status (Calleague: "400 on a POST — Body isn't JSON, or header missing"; CallingBox lists 400
   * for a bad request), else 415.
   */
  contentTypeStatus: number;
  /** Checks the body is this vendor's error envelope. */
  isError(body: any): boolean;
}

export const PROBES: Probe[] = [
  {
    vendor: 'calleague',
    otherKey: 'clg_test_other',
    list: '/api/core/voice/call/list',
    page: { page: 'page', size: 'pageSize', max: 100 },
    own: '/api/core/voice/call/cl_8f2a',
    foreign: '/api/core/voice/call/cl_51d0',
    unknown: '/api/core/voice/call/cl_nope',
    create: {
      path: '/api/core/voice/agent/call',
      body: { agentId: 'ag_123', to: '+14155550142' },
      wrongTypes: { agentId: 'ag_123', to: 14155550142 },
      field: 'to',
    },
    validationStatus: 422,
    contentTypeStatus: 400,
    isError: (b) => typeof b?.code === 'number' && typeof b?.message === 'string',
  },
  {
    vendor: 'callgenius',
    otherKey: 'cg_test_other',
    list: '/api/calls',
    page: { page: 'page', size: 'per_page', max: 100 },
    own: '/api/calls/1001',
    foreign: '/api/calls/1005',
    unknown: '/api/calls/999999',
    create: {
      path: '/api/agents',
      body: { name: 'Probe', voice: 'aria', language: 'en-AU' },
      wrongTypes: { name: 'Probe', voice: 'aria', language: 'en-AU', humour_level: 'lots' },
      field: 'humour_level',
    },
    validationStatus: 422,
    contentTypeStatus: 415,
    isError: (b) => typeof b?.message === 'string',
  },
  {
    vendor: 'callingbox',
    otherKey: 'sk_test_other',
    list: '/v1/calls',
    own: '/v1/calls/call_5f2a9c1e7b30',
    foreign: '/v1/calls/call_e4c2a0b8f617',
    unknown: '/v1/calls/call_nope',
    create: {
      path: '/v1/calls',
      body: { agent_id: 'agent_3f9a1c2b7d4e', to: '+14155550142' },
      wrongTypes: { agent_id: 'agent_3f9a1c2b7d4e', to: ['+1'] },
      field: 'to',
    },
    validationStatus: 400,
    contentTypeStatus: 400,
    isError: (b) => typeof b?.error === 'string' && Object.keys(b).length === 1,
  },
  {
    vendor: 'jagcall',
    otherKey: 'jc_test_other',
    list: '/v1/calls',
    page: { page: 'page', size: 'per_page', max: 100 },
    own: '/v1/calls/call_xxx',
    foreign: '/v1/calls/call_other1',
    unknown: '/v1/calls/call_nope',
    create: { path: '/v1/calls', body: { agent_id: 'agt_xxx', to: '+14155550142' }, wrongTypes: { agent_id: 42, to: '+14155550142' }, field: 'agent_id' },
    validationStatus: 422,
    contentTypeStatus: 415,
    isError: (b) => typeof b?.error?.code === 'string' && typeof b?.error?.message === 'string',
  },
];
