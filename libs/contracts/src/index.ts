export * from './error-codes.js';
export * from './liveroom-error.js';
export * from './protocol.js';
export * from './schemas.js';
export * from './messages.js';
export * from './redis-keys.js';
export * from './gifting.js';
export * from './moderation.js';
