export { RedisStreamsServer } from './redis-streams.server.js';
export { RedisStreamsClient, type RedisStreamsClientOptions } from './redis-streams.client.js';
export { RedisStreamsContext } from './redis-streams.context.js';
export { LiveroomRpcExceptionFilter, toWireError } from './liveroom-rpc-exception.filter.js';
export {
  REDIS_STREAMS_TRANSPORT,
  type ConnectionRole,
  type RedisStreamsEvents,
  type RedisStreamsServerOptions,
  type RedisStreamsStatus,
} from './transport-options.js';
export type { MessageHeaders } from './stream-message.js';
export { ServiceClient } from './service-client.js';
export { runService, type ServiceSpec } from './run-service.js';
