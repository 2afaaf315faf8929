export * from './health.registry.js';
export * from './metrics.registry.js';
export * from './observability.module.js';
export { createLogger, getLogger, initLogging, type AppLogger, type LoggerOptions, type LogLevelName } from './logging.js';
export { initNestLogger, PinoLoggerService } from './nest-logger.js';
export { REDACTED, scrubText } from './redaction.js';
export { isTracingEnabled, shutdownTracing, startTracing } from './tracing.js';
