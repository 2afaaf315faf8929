import { hostname } from 'node:os';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { getLogger } from './logging.js';

let provider: NodeTracerProvider | null = null;

/**
 * Turns on OpenTelemetry tracing for this process when an OTLP endpoint is configured
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`): spans are batched and
 * exported over OTLP/HTTP (JSON), context flows through async calls (AsyncLocalStorage) and is
 * propagated as W3C `traceparent`. Without an endpoint nothing is registered: the OpenTelemetry
 * API stays a no-op, and callers skip span work entirely (`isTracingEnabled()`).
 *
 * Call it first in main.ts. No library is monkey-patched, so import order does not matter: the
 * API's tracers delegate to whatever provider is registered when a span starts.
 * The standard variables apply: OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG),
 * OTEL_BSP_SCHEDULE_DELAY, OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT, ...
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (provider) return true;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  if (!URL.canParse(endpoint)) {
    getLogger('tracing').warn('OTEL_EXPORTER_OTLP_ENDPOINT is not a URL: tracing stays off');
    return false;
  }
  diag.setLogger(diagToLog, DiagLogLevel.WARN);
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: serviceName,
    [ATTR_SERVICE_INSTANCE_ID]: `${hostname()}-${process.pid}`,
  }).merge(detectResources({ detectors: [envDetector] }));
  provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return true;
}

/** True once startTracing registered an exporter: only then is a span worth starting. */
export function isTracingEnabled(): boolean {
  return provider !== null;
}

/** Exports what is still buffered and stops (at most `timeoutMs`). */
export async function shutdownTracing(timeoutMs = 2000): Promise<void> {
  const current = provider;
  if (!current) return;
  provider = null;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    current.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}

/** OpenTelemetry's own problems (an unreachable collector, ...) as log lines, warn and above. */
const diagToLog: DiagLogger = {
  error: (message, ...args) => getLogger('opentelemetry').warn({ args }, message),
  warn: (message, ...args) => getLogger('opentelemetry').warn({ args }, message),
  info: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
};
