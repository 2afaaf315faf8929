import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { Server } from 'socket.io';
import { SERVER_EVENTS } from '#contracts';
import { HealthRegistry } from '#observability';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';

/**
 * SIGTERM drains instead of dropping: /readyz turns red, new connections are refused, every client
 * is told to move (`server:drain`) and is then disconnected, spread over GATEWAY_DRAIN_MS so the
 * other gateways are not stampeded. Clients resume elsewhere with sinceSeq and lose nothing.
 */
@Injectable()
export class DrainService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('drain');
  private server: Server | null = null;
  draining = false;

  constructor(
    private readonly health: HealthRegistry,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  attach(server: Server): void {
    this.server = server;
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.draining = true;
    this.health.setDraining();
    if (!server) return;
    const sockets = [...server.of('/').sockets.values()];
    if (sockets.length === 0) return;
    this.logger.warn(`draining ${sockets.length} connections over ${this.config.GATEWAY_DRAIN_MS} ms`);
    // Local only: through the Redis adapter this would reach every gateway's clients.
    server.local.emit(SERVER_EVENTS.serverDrain, { reconnectInMs: this.config.GATEWAY_DRAIN_MS });
    const batches = Math.max(1, Math.min(sockets.length, Math.ceil(this.config.GATEWAY_DRAIN_MS / 100)));
    const perBatch = Math.ceil(sockets.length / batches);
    for (let i = 0; i < sockets.length; i += perBatch) {
      for (const socket of sockets.slice(i, i + perBatch)) socket.disconnect(true);
      if (i + perBatch < sockets.length) await new Promise((r) => setTimeout(r, this.config.GATEWAY_DRAIN_MS / batches));
    }
  }
}
