export * from './database.js';
export * from './rooms/room.entity.js';
export * from './rooms/room-moderator.entity.js';
export * from './sql.js';
export * from './database.module.js';
