import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HealthRegistry } from './health.registry.js';
import { MetricsRegistry } from './metrics.registry.js';

/** `/healthz`, `/readyz` and `/metrics` for every app. */
@Global()
@Module({
  controllers: [HealthController],
  providers: [HealthRegistry, MetricsRegistry],
  exports: [HealthRegistry, MetricsRegistry],
})
export class ObservabilityModule {}
