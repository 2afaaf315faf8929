export * from './room-log.js';
export * from './room-log-follower.js';
export * from './raw-event.js';
