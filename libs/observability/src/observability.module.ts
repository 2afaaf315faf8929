import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HealthRegistry } from './health.registry.js';
import { MetricsRegistry } from './metrics.registry.js';
import { TracingShutdown } from './tracing-shutdown.js';

/** `/healthz`, `/readyz` and `/metrics` for every app, and the final span export at shutdown. */
@Global()
@Module({
  controllers: [HealthController],
  providers: [HealthRegistry, MetricsRegistry, TracingShutdown],
  exports: [HealthRegistry, MetricsRegistry],
})
export class ObservabilityModule {}
