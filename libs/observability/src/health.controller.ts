import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HealthRegistry } from './health.registry.js';
import { MetricsRegistry } from './metrics.registry.js';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsRegistry,
  ) {}

  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res() res: Response): Promise<void> {
    const result = await this.health.check();
    res.status(result.ready ? 200 : 503).json(result);
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metricsText(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.render());
  }
}
