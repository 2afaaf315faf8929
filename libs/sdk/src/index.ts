export { LiveroomClient } from './liveroom-client.js';
export { RoomStream } from './room-stream.js';
export { rankGateways, backoffMs } from './gateway-picker.js';
export * from './types.js';
export { CohostApi, ModerationApi } from './room-powers.js';
