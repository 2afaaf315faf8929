/**
 * Shared by the deployment tests (docker/, k8s/): what the repository says about its apps (names,
 * ports, registered Prometheus metrics), read from the sources so the deployment files are checked
 * against the code rather than against a second hand-written list.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectDefaultMetrics, Registry } from 'prom-client';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function readText(relativePath: string): string {
  return readFileSync(join(ROOT, relativePath), 'utf8');
}

export interface ServerApp {
  name: string;
  /** e.g. GATEWAY_PORT */
  portVar: string;
  /** The default of that variable in the app's config schema. */
  port: number;
  /** Its config takes DATABASE_URL (the shared `databaseEnv`). */
  postgres: boolean;
}

/** Every app with an HTTP port in its config (`<APP>_PORT: port(n)` in apps/<app>/src/config.ts). */
export function serverApps(): ServerApp[] {
  const apps: ServerApp[] = [];
  for (const name of readdirSync(join(ROOT, 'apps')).sort()) {
    const config = join(ROOT, 'apps', name, 'src', 'config.ts');
    if (!existsSync(config)) continue;
    const portVar = `${name.toUpperCase()}_PORT`;
    const source = readFileSync(config, 'utf8');
    const match = new RegExp(`\\b${portVar}: port\\((\\d+)\\)`).exec(source);
    if (match) apps.push({ name, portVar, port: Number(match[1]), postgres: source.includes('...databaseEnv') });
  }
  return apps;
}

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

function sourceFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !/\.(spec|test)\.ts$/.test(f) && !f.includes('node_modules') && !/(^|\/)test\//.test(f))
    .map((f) => join(dir, f));
}

/**
 * The Prometheus metrics the apps register: `new Counter|Gauge|Histogram|Summary({ name: 'liveroom_…'`
 * in apps/ and libs/ sources, plus prom-client's default metrics under the `liveroom_` prefix
 * (libs/observability's MetricsRegistry collects them).
 */
let registered: Map<string, MetricType> | null = null;

export function registeredMetrics(): Map<string, MetricType> {
  registered ??= scanMetrics();
  return registered;
}

function scanMetrics(): Map<string, MetricType> {
  const metrics = new Map<string, MetricType>();
  const pattern = /new (Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\{\s*name:\s*'(liveroom_[a-z0-9_]+)'/g;
  for (const dir of ['apps', 'libs']) {
    for (const file of sourceFiles(join(ROOT, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(pattern)) metrics.set(m[2] as string, (m[1] as string).toLowerCase() as MetricType);
    }
  }
  const observability = readText('libs/observability/src/metrics.registry.ts');
  if (/collectDefaultMetrics\(\{[^}]*prefix: 'liveroom_'/.test(observability)) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'liveroom_' });
    for (const m of registry.getMetricsAsArray()) metrics.set(m.name, String(m.type) as MetricType);
  }
  return metrics;
}

/** Metric (series) names a PromQL expression refers to; label names, values and functions are not. */
export function promqlMetricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set(withoutStrings.match(/\bliveroom_[a-z0-9_]+\b/g) ?? [])];
}

/**
 * The registered metric a series name belongs to (`x_bucket`, `x_sum`, `x_count` of histogram `x`,
 * `x_sum`/`x_count` of summary `x`), or null if none does.
 */
export function metricOfSeries(series: string, metrics: Map<string, MetricType>): string | null {
  if (metrics.has(series)) return series;
  const m = /^(.*)_(bucket|sum|count)$/.exec(series);
  if (!m) return null;
  const base = m[1] as string;
  const type = metrics.get(base);
  if (type === 'histogram') return base;
  if (type === 'summary' && m[2] !== 'bucket') return base;
  return null;
}
