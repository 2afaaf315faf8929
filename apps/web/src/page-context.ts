import { LiveroomHttp } from './api.js';
import { currentSession } from './session-store.js';

/** The page's query: `room` (the room to join) and `gateways` (SDK failover list). */
export const pageParams = new URLSearchParams(location.search);

/** `?gateways=http://a:3000,http://b:3001` lets the SDK fail over; by default the page's own origin. */
export const gatewayUrls: string[] = (pageParams.get('gateways') ?? '')
  .split(',')
  .map((url) => url.trim().replace(/\/$/, ''))
  .filter(Boolean);
if (gatewayUrls.length === 0) gatewayUrls.push(location.origin);

/** The HTTP API of the first gateway, with the signed-in user's token. */
export const http = new LiveroomHttp(gatewayUrls[0] as string, () => currentSession()?.token ?? null);

/** Keeps `?room=` in the address bar in step with the open room, so the address can be shared. */
export function setRoomParam(roomId: string | null): void {
  if (roomId) pageParams.set('room', roomId);
  else pageParams.delete('room');
  const query = pageParams.toString();
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}`);
}
