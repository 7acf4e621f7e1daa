import { VENDORS } from '../../src/vendors/registry.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { withDeadline } from './gen.js';

/**
 * The robustness suites' server: rate limits off (they send thousands of requests), webhook
 * deliveries (to a closed local port) given up fast. Started at module level so the suites can
 * iterate over whatever vendors it loaded, hence the deadline: a top-level await has no timeout.
 */
export async function startRobustnessSim(): Promise<TestSim & { shutdown(): Promise<void> }> {
  const sim = await withDeadline(
    startTestSim({ rateLimits: Object.fromEntries(VENDORS.map((v) => [v.name, false])), webhookTimeoutMs: 200 }),
    20_000,
    'starting the server',
  );
  return {
    ...sim,
    // A request the server never answered must not keep close() (and the test run) waiting.
    shutdown: async () => {
      sim.running.server.closeAllConnections();
      await sim.stop();
    },
  };
}
