import { Injectable } from '@nestjs/common';

export type ReadinessProbe = () => Promise<unknown>;

/** Dependencies an app needs to serve; `/readyz` is green only while every probe answers. */
@Injectable()
export class HealthRegistry {
  private readonly probes = new Map<string, ReadinessProbe>();
  private draining = false;

  addProbe(name: string, probe: ReadinessProbe): void {
    this.probes.set(name, probe);
  }

  /** A draining process reports not-ready so load balancers stop sending it work. */
  setDraining(): void {
    this.draining = true;
  }

  async check(timeoutMs = 1000): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    if (this.draining) checks.process = 'draining';
    await Promise.all(
      [...this.probes].map(async ([name, probe]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            probe(),
            new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs))),
          ]);
          checks[name] = 'ok';
        } catch (error) {
          checks[name] = error instanceof Error ? error.message : 'failed';
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
  }
}
