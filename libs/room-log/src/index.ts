export * from './room-log.js';
export * from './room-log-follower.js';
export * from './raw-event.js';
export { APPEND_FUNCTION } from './append.lua.js';
export * from './room-log.module.js';
