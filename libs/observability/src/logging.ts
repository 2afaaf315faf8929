import { trace } from '@opentelemetry/api';
import pino from 'pino';
import { censor, REDACT_PATHS, scrubText } from './redaction.js';

/** LOG_LEVEL values (Nest's names); each includes the more severe ones. */
export type LogLevelName = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

const PINO_LEVEL: Record<LogLevelName, pino.Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export type AppLogger = pino.Logger;

export interface LoggerOptions {
  /** `service` field of every line (the app's name). */
  service: string;
  level: LogLevelName;
  /** Where lines go; stdout (synchronously) by default. Tests pass a capturing stream. */
  destination?: pino.DestinationStream;
}

/**
 * A pino logger writing one JSON object per line: `level` (pino's label), `time` (ISO),
 * `service`, `msg`, and `trace_id`/`span_id` whenever a span is active. Secrets are censored
 * (see redaction.ts) in fields, messages and error stacks.
 */
export function createLogger(options: LoggerOptions): AppLogger {
  return pino(
    {
      level: PINO_LEVEL[options.level],
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor },
      serializers: { err: serializeError },
      mixin: traceFields,
      hooks: {
        logMethod(args, method) {
          // Free-text arguments (the message and printf-style values) are scrubbed of credentials.
          const scrubbed = args.map((arg: unknown) => (typeof arg === 'string' ? scrubText(arg) : arg));
          method.apply(this, scrubbed as Parameters<pino.LogFn>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** `trace_id` and `span_id` of the active span, if any (pino mixin: runs for every line written). */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

function serializeError(error: Error): pino.SerializedError {
  const serialized = pino.stdSerializers.err(error);
  serialized.message = scrubText(serialized.message);
  if (serialized.stack) serialized.stack = scrubText(serialized.stack);
  return serialized;
}

let root: AppLogger | null = null;

/** Sets the process's logger (main.ts, before Nest starts); returns it. */
export function initLogging(options: LoggerOptions): AppLogger {
  root = createLogger(options);
  return root;
}

/**
 * The process's logger, or a child of it for one component. Before initLogging (unit tests),
 * a logger honouring LOG_LEVEL is created on first use.
 */
export function getLogger(component?: string): AppLogger {
  root ??= createLogger({ service: 'liveroom', level: logLevelFromEnv(process.env.LOG_LEVEL) });
  return component ? root.child({ context: component }) : root;
}

function logLevelFromEnv(value: string | undefined): LogLevelName {
  return value === 'error' || value === 'warn' || value === 'debug' || value === 'verbose' ? value : 'log';
}

/** The pino level to use for the most verbose of Nest's levels in `levels`. */
export function pinoLevelOf(levels: readonly string[]): pino.Level | 'silent' {
  const order: LogLevelName[] = ['verbose', 'debug', 'log', 'warn', 'error'];
  const most = order.find((level) => levels.includes(level));
  if (most) return PINO_LEVEL[most];
  return levels.includes('fatal') ? 'fatal' : 'silent';
}
