import { LiveroomClient } from '#sdk';

/**
 * LiveroomClient whose connect() keeps a live connection. Work-around: the SDK's connect() (libs/sdk,
 * liveroom-client.ts) opens a new socket on every call, and every request calls it, so a write after
 * join went out on a fresh socket that had not joined the room (NOT_IN_ROOM). `url` is non-null only
 * while the current socket is connected; after a disconnect the SDK's own reconnect logic runs as before.
 * Harmless once the SDK checks this itself.
 */
export class RoomClient extends LiveroomClient {
  override connect(): Promise<void> {
    return this.url !== null ? Promise.resolve() : super.connect();
  }
}
