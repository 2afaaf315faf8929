export * from './health.registry.js';
export * from './metrics.registry.js';
export * from './observability.module.js';
