import { networkInterfaces } from 'node:os';
import { isLoopback } from '../engine/gate.js';

/** This machine's own addresses: loopback, the unspecified address, every interface's. */
function isLocalAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  if (isLoopback(a) || a === '0.0.0.0' || a === '::') return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address.toLowerCase() === a));
}

/**
 * A webhook may go anywhere except back into callsim: a delivery to this server's own port on this
 * machine (by any name that resolves there) is refused, so no vendor account can turn a webhook URL
 * into a control-plane request.
 */
export function selfRefusal(ownPort: () => number | undefined): (address: string, port: number) => string | undefined {
  return (address, port) =>
    port === ownPort() && isLocalAddress(address) ? `refused: ${address}:${port} is callsim itself; webhooks never call back into callsim` : undefined;
}
