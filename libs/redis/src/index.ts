export * from './create-redis.js';
export * from './define-script.js';
export * from './redis.module.js';
export * from './typed-queue.js';
export * from './user-notifier.js';
