/**
 * k8s/: every manifest is valid against the Kubernetes schemas (kubernetes-models) with no field the
 * schema does not know (a typo such as `readinesProbe` is silently ignored by the API server's
 * client-side tools and by the schema alone), and the manifests agree with each other and with the code:
 * selectors, ports, probes, the gateway's drain timing, the HPA and the prometheus-adapter rule.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { readText, registeredMetrics, ROOT, serverApps } from './support.js';

type Obj = Record<string, any>;

/** The Kubernetes kinds these manifests may use, each with its schema. */
const MODELS: Record<string, { prototype: { validate(): void }; new (data: any): { validate(): void } }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

/** After the drain, the gateway closes Redis/PostgreSQL/Socket.IO: time it gets before SIGKILL. */
const SHUTDOWN_MARGIN_SEC = 5;

interface Manifest {
  file: string;
  doc: Obj;
}

function loadManifests(): { manifests: Manifest[]; kustomization: Obj } {
  const files = (readdirSync(join(ROOT, 'k8s'), { recursive: true }) as string[]).filter((f) => /\.ya?ml$/.test(f)).sort();
  const manifests: Manifest[] = [];
  let kustomization: Obj | null = null;
  for (const file of files) {
    const text = readText(join('k8s', file));
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) throw new Error(`k8s/${file}: ${document.errors.map((e) => e.message).join('; ')}`);
      if (document.warnings.length > 0) throw new Error(`k8s/${file}: ${document.warnings.map((e) => e.message).join('; ')}`);
      const doc = document.toJS() as Obj | null;
      if (doc === null) continue;
      if (doc.kind === 'Kustomization') kustomization = doc;
      else manifests.push({ file, doc });
    }
  }
  if (!kustomization) throw new Error('k8s/kustomization.yaml is missing');
  return { manifests, kustomization };
}

/** A copy of `value` whose objects record which of their keys are read. */
function tracked(value: unknown, path: string, keys: Set<string>, reads: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v, i) => tracked(v, `${path}/${i}`, keys, reads));
  if (value === null || typeof value !== 'object') return value;
  const target: Obj = {};
  for (const [key, child] of Object.entries(value)) {
    keys.add(`${path}/${key}`);
    target[key] = tracked(child, `${path}/${key}`, keys, reads);
  }
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'string') reads.add(`${path}/${key}`);
      return Reflect.get(t, key, receiver);
    },
  });
}

/**
 * Validates against the schema, then lists the fields the schema never looked at: the generated
 * validators read every property their schema declares (and iterate maps), so a key nobody read is
 * one the schema does not have.
 */
function schemaProblems(doc: Obj): string[] {
  const model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!model) return [`no schema for ${doc.apiVersion} ${doc.kind}`];
  try {
    new model(doc).validate();
  } catch (error) {
    return [(error as Error).message];
  }
  const keys = new Set<string>();
  const reads = new Set<string>();
  model.prototype.validate.call(tracked(doc, '', keys, reads));
  const unknown = [...keys].filter((k) => !reads.has(k));
  // Only the outermost: what is under an unknown field is unknown too.
  return unknown.filter((k) => !unknown.some((u) => k.startsWith(`${u}/`))).map((k) => `unknown field ${k}`);
}

const { manifests, kustomization } = loadManifests();
const apps = serverApps();
const docs = manifests.map((m) => m.doc);
const ofKind = (kind: string): Obj[] => docs.filter((d) => d.kind === kind);
const deployments = ofKind('Deployment');
const deploymentOf = (app: string): Obj => {
  const found = deployments.filter((d) => d.metadata.name === `liveroom-${app}`);
  if (found.length !== 1) throw new Error(`expected one Deployment liveroom-${app}, found ${found.length}`);
  return found[0] as Obj;
};
const containerOf = (deployment: Obj): Obj => deployment.spec.template.spec.containers[0];
const envOf = (container: Obj): Map<string, Obj> => new Map((container.env ?? []).map((e: Obj) => [e.name, e]));
const matches = (selector: Obj, labels: Obj): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const podLabels = (deployment: Obj): Obj => deployment.spec.template.metadata.labels;

function containerPort(container: Obj, port: string | number): number | undefined {
  const found = (container.ports ?? []).find((p: Obj) => p.name === port || p.containerPort === port);
  return found?.containerPort;
}

describe('k8s manifests: schemas', () => {
  it('finds the server apps and manifests to check', () => {
    expect(apps.map((a) => a.name)).toEqual(['barrage', 'cohost', 'gateway', 'gifting', 'moderation']);
    expect(manifests.length).toBeGreaterThan(10);
  });

  it.each(manifests.map((m) => [`${m.file} ${m.doc.kind} ${m.doc.metadata?.name}`, m.doc]))('%s is valid', (_name, doc) => {
    expect(schemaProblems(doc as Obj)).toEqual([]);
  });

  it('catches what it claims to: a wrong type, a misspelt field, an unknown kind', () => {
    const gateway = structuredClone(deploymentOf('gateway'));
    const wrongType = structuredClone(gateway);
    containerOf(wrongType).ports[0].containerPort = 'http';
    expect(schemaProblems(wrongType).join()).toMatch(/containerPort must be integer/);
    const typo = structuredClone(gateway);
    const container = containerOf(typo);
    container.readinesProbe = container.readinessProbe;
    delete container.readinessProbe;
    expect(schemaProblems(typo)).toEqual(['unknown field /spec/template/spec/containers/0/readinesProbe']);
    expect(schemaProblems({ ...gateway, apiVersion: 'apps/v1beta1' })).toEqual(['no schema for apps/v1beta1 Deployment']);
  });

  it('names every object uniquely per kind', () => {
    const names = docs.map((d) => `${d.kind}/${d.metadata?.namespace ?? ''}/${d.metadata?.name}`);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('kustomization.yaml lists every manifest of k8s/ but the example Secret and monitoring/', () => {
    const topLevel = [...new Set(manifests.map((m) => m.file))].filter((f) => !f.includes('/') && f !== 'secret.example.yaml').sort();
    expect([...(kustomization.resources as string[])].sort()).toEqual(topLevel);
    expect(kustomization.namespace).toBe(ofKind('Namespace')[0]?.metadata.name);
    // The monitoring stack's objects name their own namespace; the app's take the kustomization's.
    for (const m of manifests) {
      if (m.file.startsWith('monitoring/')) expect(m.doc.metadata.namespace).toBeTruthy();
      else expect(m.doc.metadata.namespace).toBeUndefined();
    }
  });
});

describe('k8s manifests: every app', () => {
  it.each(apps.map((a) => [a.name, a]))('%s: Deployment runs APP with its port, probes, resources, non-root', (_n, app) => {
    const deployment = deploymentOf(app.name);
    expect(matches(deployment.spec.selector.matchLabels, podLabels(deployment))).toBe(true);
    expect(deployment.spec.template.spec.containers).toHaveLength(1);
    const container = containerOf(deployment);
    const env = envOf(container);
    expect(env.get('APP')?.value).toBe(app.name);
    const port = Number(env.get(app.portVar)?.value ?? app.port);
    expect(containerPort(container, 'http')).toBe(port);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe].filter(Boolean)) {
      expect(containerPort(container, probe.httpGet.port)).toBe(port);
    }
    expect(container.resources.requests.cpu).toBeTruthy();
    expect(container.resources.requests.memory).toBeTruthy();
    expect(container.resources.limits.memory).toBeTruthy();
    const annotations = deployment.spec.template.metadata.annotations ?? {};
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(Number(annotations['prometheus.io/port'])).toBe(port);
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    const pod = deployment.spec.template.spec.securityContext;
    expect(pod.runAsNonRoot).toBe(true);
    // The image's numeric USER (docker/Dockerfile), which runAsNonRoot can verify.
    expect(`${pod.runAsUser}:${pod.runAsGroup}`).toBe(/^USER (\S+)/m.exec(readText('docker/Dockerfile'))?.[1]);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.image).toMatch(/^liveroom:/);
    expect((kustomization.images as Obj[]).map((i) => i.name)).toContain(container.image.split(':')[0]);
  });

  it.each(apps.map((a) => [a.name]))('%s: a Service and a PodDisruptionBudget select its pods', (name) => {
    const deployment = deploymentOf(name);
    const services = ofKind('Service').filter((s) => matches(s.spec.selector, podLabels(deployment)));
    expect(services.map((s) => s.metadata.name)).toEqual([`liveroom-${name}`]);
    for (const port of services[0]!.spec.ports) expect(containerPort(containerOf(deployment), port.targetPort)).toBeDefined();
    const pdbs = ofKind('PodDisruptionBudget').filter((p) => matches(p.spec.selector.matchLabels, podLabels(deployment)));
    expect(pdbs).toHaveLength(1);
    // A PDB that forbids every eviction blocks node drains forever.
    expect(pdbs[0]!.spec.maxUnavailable ?? 0).not.toBe(0);
  });

  it('every Service and PDB selects exactly one Deployment', () => {
    for (const doc of [...ofKind('Service'), ...ofKind('PodDisruptionBudget')]) {
      const selector = doc.kind === 'Service' ? doc.spec.selector : doc.spec.selector.matchLabels;
      expect([doc.metadata.name, deployments.filter((d) => matches(selector, podLabels(d))).length]).toEqual([doc.metadata.name, 1]);
    }
  });

  it('env refers only to the ConfigMap and Secret keys that exist', () => {
    const configMaps = new Map(ofKind('ConfigMap').map((c) => [c.metadata.name, c]));
    const secret = parse(readText('k8s/secret.example.yaml')) as Obj;
    const secretKeys = new Set(Object.keys({ ...secret.data, ...secret.stringData }));
    for (const deployment of deployments) {
      const container = containerOf(deployment);
      for (const from of container.envFrom ?? []) expect(configMaps.has(from.configMapRef?.name)).toBe(true);
      for (const e of container.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) expect([e.name, ref.name, secretKeys.has(ref.key)]).toEqual([e.name, secret.metadata.name, true]);
        const cmRef = e.valueFrom?.configMapKeyRef;
        if (cmRef) expect(configMaps.get(cmRef.name)?.data?.[cmRef.key]).toBeDefined();
      }
    }
    // The apps that use PostgreSQL get DATABASE_URL from the Secret (it carries a password).
    for (const app of apps) {
      const ref = envOf(containerOf(deploymentOf(app.name))).get('DATABASE_URL')?.valueFrom?.secretKeyRef?.key;
      expect([app.name, ref]).toEqual([app.name, app.postgres ? 'database-url' : undefined]);
    }
    expect(envOf(containerOf(deploymentOf('gateway'))).get('JWT_SECRET')?.valueFrom?.secretKeyRef?.key).toBe('jwt-secret');
  });
});

describe('k8s manifests: gateway drain and autoscaling', () => {
  const gateway = deploymentOf('gateway');
  const container = containerOf(gateway);

  it('terminationGracePeriodSeconds covers the preStop sleep, GATEWAY_DRAIN_MS and the shutdown', () => {
    const drainMs = Number(envOf(container).get('GATEWAY_DRAIN_MS')?.value);
    expect(drainMs).toBeGreaterThan(0);
    const command = container.lifecycle?.preStop?.exec?.command as string[] | undefined;
    expect(command?.[0]).toBe('sleep');
    const sleepSec = Number(command?.[1]);
    expect(sleepSec).toBeGreaterThanOrEqual(2);
    expect(gateway.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(sleepSec + drainMs / 1000 + SHUTDOWN_MARGIN_SEC);
  });

  it('rolls out without losing capacity, and leaves replicas to the HPA', () => {
    expect(gateway.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(gateway.spec.replicas).toBeUndefined();
  });

  it('the HPA (autoscaling/v2) scales the gateway Deployment on the pods metric liveroom_gateway_connections', () => {
    const hpas = ofKind('HorizontalPodAutoscaler');
    expect(hpas).toHaveLength(1);
    const hpa = hpas[0]!;
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: gateway.apiVersion, kind: 'Deployment', name: gateway.metadata.name });
    const pods = (hpa.spec.metrics as Obj[]).filter((m) => m.type === 'Pods');
    expect(pods.map((m) => m.pods.metric.name)).toEqual(['liveroom_gateway_connections']);
    expect(pods[0]!.pods.target.type).toBe('AverageValue');
    expect(Number(pods[0]!.pods.target.averageValue)).toBeGreaterThan(0);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    // A CPU target needs a CPU request to be relative to.
    if ((hpa.spec.metrics as Obj[]).some((m) => m.type === 'Resource' && m.resource.name === 'cpu')) expect(container.resources.requests.cpu).toBeTruthy();
    // Each scale-down moves clients: it must be slower than scale-up.
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThan(hpa.spec.behavior.scaleUp.stabilizationWindowSeconds ?? 0);
  });

  it('the metric is a gauge the gateway registers', () => {
    expect(registeredMetrics().get('liveroom_gateway_connections')).toBe('gauge');
  });

  it('the prometheus-adapter rule exposes that series as the pods metric the HPA names', () => {
    const hpaMetric = ofKind('HorizontalPodAutoscaler')[0]!.spec.metrics.find((m: Obj) => m.type === 'Pods').pods.metric.name as string;
    const adapterMaps = ofKind('ConfigMap').filter((c) => typeof c.data?.['config.yaml'] === 'string');
    expect(adapterMaps).toHaveLength(1);
    const config = parse(adapterMaps[0]!.data['config.yaml']) as Obj;
    const exposed: string[] = [];
    for (const rule of config.rules as Obj[]) {
      const series = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/.exec(rule.seriesQuery)?.[1];
      expect(series).toBeDefined();
      expect(registeredMetrics().has(series!)).toBe(true);
      // Namespace and pod labels map each series to its pod object: what a Pods metric needs.
      expect(rule.resources.overrides).toEqual({ namespace: { resource: 'namespace' }, pod: { resource: 'pod' } });
      expect(rule.seriesQuery).toMatch(/namespace!=""/);
      expect(rule.seriesQuery).toMatch(/pod!=""/);
      for (const placeholder of ['<<.Series>>', '<<.LabelMatchers>>', '<<.GroupBy>>']) expect(rule.metricsQuery).toContain(placeholder);
      // The adapter's naming: `matches` on the series name, replaced by `as` (default: $1 or the whole name).
      const re = new RegExp(rule.name?.matches ?? '.*');
      expect(re.test(series!)).toBe(true);
      const as = (rule.name?.as as string | undefined) || (re.source.includes('(') ? '$1' : '$0');
      exposed.push(series!.replace(re, as.replace(/\$0/g, '$&').replace(/\$\{(\d+)\}/g, '$$$1')));
    }
    expect(exposed).toContain(hpaMetric);
  });
});
