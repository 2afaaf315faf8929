import { CreateRooms1764000000000 } from './1764000000000-create-rooms.js';

/** Every migration, in order. Committed; `synchronize` is never used. */
export const MIGRATIONS = [CreateRooms1764000000000];
