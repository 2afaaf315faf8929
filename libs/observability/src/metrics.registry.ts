import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** The app's Prometheus registry: process metrics plus what each feature registers. */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'liveroom_' });
  }

  setDefaultLabels(labels: Record<string, string>): void {
    this.registry.setDefaultLabels(labels);
  }
}
