import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** The app's Prometheus registry: process metrics plus what each feature registers. */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'liveroom_' });
  }

  private readonly refreshers: (() => void)[] = [];

  /** Gauges read from live state are refreshed right before each scrape. */
  beforeScrape(refresh: () => void): void {
    this.refreshers.push(refresh);
  }

  async render(): Promise<string> {
    for (const refresh of this.refreshers) refresh();
    return this.registry.metrics();
  }

  setDefaultLabels(labels: Record<string, string>): void {
    this.registry.setDefaultLabels(labels);
  }
}
