export * from './system.js';
export * from './clients.js';
