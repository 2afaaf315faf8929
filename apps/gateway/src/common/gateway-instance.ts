import { randomBytes } from 'node:crypto';

/**
 * This gateway process as other processes see it in Redis (heartbeat, viewer counts, presence).
 * GATEWAY_ID plus a per-boot suffix: a gateway restarted under the same id (a pod that comes back)
 * must not inherit the presence its crashed predecessor left behind.
 */
export class GatewayInstance {
  readonly id: string;

  constructor(gatewayId: string) {
    this.id = `${gatewayId}.${randomBytes(3).toString('hex')}`;
  }
}
