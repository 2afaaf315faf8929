export * from './create-redis.js';
export * from './redis.module.js';
