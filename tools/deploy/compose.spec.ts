/**
 * docker/compose.yml and what it mounts (there is no Docker engine here, so this checks structure):
 * every app is started from the one image with APP set, dependencies exist and can become healthy,
 * Prometheus scrapes every app on its port, and Grafana's provisioned dashboard only queries metrics
 * the code registers.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { metricOfSeries, promqlMetricNames, readText, registeredMetrics, ROOT, serverApps } from './support.js';

type Obj = Record<string, any>;

const COMPOSE_DIR = 'docker';
const compose = parse(readText(`${COMPOSE_DIR}/compose.yml`), { merge: true }) as Obj;
const services = compose.services as Record<string, Obj>;
const apps = serverApps();
const dockerfile = readText('docker/Dockerfile');

/** Services that run the given app (APP in their environment). */
const servicesOf = (app: string): [string, Obj][] => Object.entries(services).filter(([, s]) => s.environment?.APP === app);
/** A path of compose.yml (relative to docker/) from the repository root. */
const fromCompose = (path: string): string => posix.normalize(posix.join(COMPOSE_DIR, path));
/** Host path of a bind mount `host:container[:ro]` whose container path is `target`. */
function mountSource(service: Obj, target: string): string | undefined {
  for (const volume of service.volumes ?? []) {
    const [source, container] = String(volume).split(':');
    if (container === target && source?.startsWith('.')) return fromCompose(source);
  }
  return undefined;
}
const dependsOn = (service: Obj): Record<string, Obj> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((d: string) => [d, { condition: 'service_started' }]))
    : (service.depends_on ?? {});
const seconds = (duration: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration);
  if (!m) throw new Error(`unsupported duration ${duration}`);
  return Number(m[1]) * ({ ms: 0.001, s: 1, m: 60 } as Record<string, number>)[m[2] as string]!;
};

describe('compose: apps', () => {
  it('runs every app from the one image, the infrastructure and the monitoring', () => {
    for (const name of ['redis', 'postgres', 'prometheus', 'grafana']) expect(Object.keys(services)).toContain(name);
    for (const app of apps) expect([app.name, servicesOf(app.name).length > 0]).toEqual([app.name, true]);
    expect(servicesOf('gateway').length).toBeGreaterThanOrEqual(2);
    const barrageReplicas = servicesOf('barrage').reduce((n, [, s]) => n + (s.deploy?.replicas ?? 1), 0);
    expect(barrageReplicas).toBeGreaterThanOrEqual(2);
  });

  it.each(apps.map((a) => [a.name, a]))('%s: built from docker/Dockerfile, its port, Redis, PostgreSQL when it needs it', (_n, app) => {
    for (const [, service] of servicesOf(app.name)) {
      expect(fromCompose(posix.join(service.build.context, service.build.dockerfile))).toBe('docker/Dockerfile');
      expect(posix.normalize(posix.join(COMPOSE_DIR, service.build.context))).toBe('.');
      const port = Number(service.environment[app.portVar] ?? app.port);
      expect(port).toBe(app.port);
      // The image's EXPOSE lists it.
      expect(/^EXPOSE (.+)$/m.exec(dockerfile)?.[1]?.split(/\s+/)).toContain(String(port));
      expect(new URL(service.environment.REDIS_URL).hostname).toBe('redis');
      expect(typeof service.environment.DATABASE_URL === 'string').toBe(app.postgres);
      if (app.postgres) expect(new URL(service.environment.DATABASE_URL).hostname).toBe('postgres');
      expect(service.environment.NODE_ENV).toBe('production');
    }
  });

  it('depends_on names existing services, without cycles, and waits for health only where there is a healthcheck', () => {
    // App services get the image's HEALTHCHECK (docker/Dockerfile).
    const imageHealthcheck = /^HEALTHCHECK .*CMD/m.test(dockerfile);
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(dependsOn(service))) {
        expect([name, dependency, dependency in services]).toEqual([name, dependency, true]);
        if (condition === 'service_healthy') {
          const target = services[dependency]!;
          expect([name, dependency, Boolean(target.healthcheck || (target.environment?.APP && imageHealthcheck))]).toEqual([name, dependency, true]);
        }
      }
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string): void => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`depends_on cycle through ${name}`);
      visiting.add(name);
      for (const dependency of Object.keys(dependsOn(services[name]!))) visit(dependency);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(services)) visit(name);
  });

  it('the apps that migrate PostgreSQL do not all race to create the database', () => {
    // Each app creates the database if it is missing: one gateway goes first, the others wait for it.
    const [first] = servicesOf('gateway').find(([, s]) => dependsOn(s).postgres?.condition === 'service_healthy') ?? [];
    expect(first).toBeDefined();
    const postgresApps = apps.filter((a) => a.postgres).map((a) => a.name);
    expect(postgresApps).toEqual(['gateway', 'gifting', 'moderation']);
    for (const app of postgresApps) {
      for (const [name, service] of servicesOf(app)) {
        if (name !== first) expect([name, dependsOn(service)[first!]?.condition]).toEqual([name, 'service_healthy']);
      }
    }
  });

  it('gateways: JWT_SECRET must be given, host ports differ, docker stop waits for the drain', () => {
    const hostPorts: string[] = [];
    for (const [, service] of Object.entries(services)) for (const p of service.ports ?? []) hostPorts.push(String(p).split(':')[0]!);
    expect(hostPorts.filter((p, i) => hostPorts.indexOf(p) !== i)).toEqual([]);
    for (const [name, service] of servicesOf('gateway')) {
      expect([name, service.environment.JWT_SECRET]).toEqual([name, expect.stringMatching(/^\$\{JWT_SECRET:\?[^}]+\}$/)]);
      expect(service.ports.map((p: string) => p.split(':')[1])).toContain(String(service.environment.GATEWAY_PORT ?? 3000));
      const drainSec = Number(service.environment.GATEWAY_DRAIN_MS ?? 10000) / 1000;
      expect(seconds(service.stop_grace_period ?? '10s')).toBeGreaterThan(drainSec);
    }
  });
});

describe('compose: Prometheus', () => {
  const configPath = mountSource(services.prometheus!, '/etc/prometheus/prometheus.yml');
  const config = parse(readText(configPath ?? 'missing')) as Obj;

  it('mounts its config and scrapes /metrics of every app service on the app port', () => {
    expect(configPath).toBe('docker/prometheus/prometheus.yml');
    const targets = new Map<string, string>(); // "service:port" -> job
    for (const job of config.scrape_configs as Obj[]) {
      expect(job.metrics_path ?? '/metrics').toBe('/metrics');
      for (const sd of job.dns_sd_configs ?? []) for (const name of sd.names) targets.set(`${name}:${sd.port}`, job.job_name);
      for (const sc of job.static_configs ?? []) for (const t of sc.targets) targets.set(t, job.job_name);
    }
    for (const app of apps) {
      for (const [name] of servicesOf(app.name)) expect([name, targets.get(`${name}:${app.port}`)]).toEqual([name, app.name]);
    }
    for (const target of targets.keys()) {
      const host = target.split(':')[0]!;
      if (host !== 'localhost') expect(services).toHaveProperty([host]);
    }
  });
});

describe('compose: Grafana', () => {
  const grafana = services.grafana!;
  const provisioning = mountSource(grafana, '/etc/grafana/provisioning') ?? 'missing';
  const datasources = parse(readText(`${provisioning}/datasources/prometheus.yml`)) as Obj;
  const providers = parse(readText(`${provisioning}/dashboards/liveroom.yml`)) as Obj;
  const dashboardsMount = providers.providers[0].options.path as string;
  const dashboardsDir = mountSource(grafana, dashboardsMount) ?? 'missing';
  const dashboardFiles = existsSync(join(ROOT, dashboardsDir)) ? readdirSync(join(ROOT, dashboardsDir)).filter((f) => f.endsWith('.json')) : [];
  const dashboard = JSON.parse(readText(`${dashboardsDir}/liveroom.json`)) as Obj;
  const panels = (dashboard.panels as Obj[]).filter((p) => p.type !== 'row');
  const exprs = panels.flatMap((p) => (p.targets as Obj[]).map((t) => ({ panel: p.title as string, expr: t.expr as string })));

  it('provisions the Prometheus datasource and a dashboard provider for the mounted dashboards', () => {
    expect(provisioning).toBe('docker/grafana/provisioning');
    const [datasource] = datasources.datasources as Obj[];
    expect(datasource).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    expect(new URL(datasource!.url).port).toBe(String(/--web\.listen-address=:(\d+)/.exec(services.prometheus!.command.join(' '))?.[1] ?? 9090));
    expect(dashboardsDir).toBe('docker/grafana/dashboards');
    expect(dashboardFiles).toEqual(['liveroom.json']);
    const home = grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH as string;
    expect(home.startsWith(`${dashboardsMount}/`)).toBe(true);
    expect(existsSync(join(ROOT, dashboardsDir, home.slice(dashboardsMount.length + 1)))).toBe(true);
  });

  it('every panel queries the provisioned datasource', () => {
    const uid = (datasources.datasources as Obj[])[0]!.uid;
    for (const panel of panels) {
      expect([panel.title, panel.datasource?.uid]).toEqual([panel.title, uid]);
      for (const target of panel.targets) expect([panel.title, target.datasource?.uid ?? uid]).toEqual([panel.title, uid]);
    }
  });

  it("every panel's PromQL refers only to metrics the code registers", () => {
    const metrics = registeredMetrics();
    expect(exprs.length).toBeGreaterThan(10);
    for (const { panel, expr } of exprs) {
      const names = promqlMetricNames(expr);
      expect([panel, expr, names.length > 0]).toEqual([panel, expr, true]);
      for (const name of names) expect([panel, name, metricOfSeries(name, metrics)]).toEqual([panel, name, expect.any(String)]);
      // Counters and histogram series only make sense through rate()/increase().
      for (const name of names) {
        const type = metrics.get(metricOfSeries(name, metrics)!);
        if (type === 'counter' || name.endsWith('_bucket')) expect([panel, expr]).toEqual([panel, expect.stringMatching(/\b(rate|increase)\(/)]);
      }
    }
  });

  it('has the panels the issue asks for', () => {
    const used = new Set(exprs.flatMap(({ expr }) => promqlMetricNames(expr).map((n) => metricOfSeries(n, registeredMetrics()))));
    for (const metric of [
      'liveroom_gateway_connections',
      'liveroom_gateway_events_delivered_total',
      'liveroom_gateway_frame_bytes',
      'liveroom_gateway_request_duration_seconds',
      'liveroom_gateway_delivery_latency_seconds',
      'liveroom_gifting_outbox_pending',
      'liveroom_gifting_outbox_oldest_age_seconds',
      'liveroom_gifting_outbox_dispatch_seconds',
      'liveroom_moderation_decisions_total',
    ]) {
      expect([metric, used.has(metric)]).toEqual([metric, true]);
    }
  });

  it('lays the panels out without overlaps, with unique ids', () => {
    const all = dashboard.panels as Obj[];
    const ids = all.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [i, a] of all.entries()) {
      expect(a.gridPos.x + a.gridPos.w).toBeLessThanOrEqual(24);
      for (const b of all.slice(i + 1)) {
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect([a.title, b.title, overlap]).toEqual([a.title, b.title, false]);
      }
    }
  });
});
