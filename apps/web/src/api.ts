import type { RoomSnapshot } from '#sdk';
import type { RoomRole } from './demo-hooks.js';

/** An HTTP API failure (PROTOCOL §7: `{ error: { code, message } }`), or a network failure as UNAVAILABLE. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ApiError';
  }
}

export interface Gift {
  id: string;
  name: string;
  price: number;
}
export interface LeaderboardEntry {
  userId: string;
  name: string;
  value: number;
}
export interface CreatedRoom {
  id: string;
  title: string;
  hostId: string;
  createdAt: string;
}
/** `GET /v1/rooms/:id`: the snapshot without `recent` (PROTOCOL §7). */
export type RoomInfo = Omit<RoomSnapshot, 'recent'>;

/** For an error answer without a `{ error: { code } }` body (a proxy in between, say). */
const CODE_BY_STATUS: Readonly<Record<number, string>> = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 429: 'RATE_LIMITED', 503: 'UNAVAILABLE' };

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; retryAfterMs?: unknown };
}

/** The gateway's HTTP API, with the signed-in user's token when there is one. */
export class LiveroomHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string | null,
  ) {}

  devToken(userId: string, name: string | undefined, admin: boolean): Promise<{ token: string }> {
    return this.call('POST', '/v1/dev/token', { userId, ...(name ? { name } : {}), ...(admin ? { roles: ['admin'] } : {}) }, null);
  }
  createRoom(title: string): Promise<CreatedRoom> {
    return this.call('POST', '/v1/rooms', { title });
  }
  room(roomId: string): Promise<RoomInfo> {
    return this.call('GET', `/v1/rooms/${encodeURIComponent(roomId)}`);
  }
  /** The caller's role in the room (host, admin, moderator, viewer, anonymous). */
  roomRole(roomId: string): Promise<{ roomId: string; role: RoomRole }> {
    return this.call('GET', `/v1/rooms/${encodeURIComponent(roomId)}/role`);
  }
  addModerator(roomId: string, userId: string): Promise<void> {
    return this.call('POST', `/v1/rooms/${encodeURIComponent(roomId)}/moderators`, { userId });
  }
  endRoom(roomId: string): Promise<void> {
    return this.call('POST', `/v1/rooms/${encodeURIComponent(roomId)}/end`, {});
  }
  gifts(): Promise<Gift[]> {
    return this.call('GET', '/v1/gifts');
  }
  wallet(): Promise<{ userId: string; balance: number }> {
    return this.call('GET', '/v1/wallet');
  }
  leaderboard(roomId: string, limit = 10): Promise<LeaderboardEntry[]> {
    return this.call('GET', `/v1/rooms/${encodeURIComponent(roomId)}/leaderboard?limit=${limit}`);
  }
  /** Admin: credits a wallet, as a payment provider would confirm (idempotent per key). */
  credit(userId: string, amount: number, idempotencyKey: string, adminToken: string): Promise<{ txId: string; balance: number }> {
    return this.call('POST', `/v1/admin/wallets/${encodeURIComponent(userId)}/credits`, { amount, idempotencyKey }, adminToken);
  }

  private async call<T>(method: string, path: string, body?: object, token: string | null = this.token()): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new ApiError('UNAVAILABLE', `network error: ${error instanceof Error ? error.message : String(error)}`, 0);
    }
    if (response.status === 204) return undefined as T;
    const data: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const wire = (data as ErrorBody | null)?.error;
      const code = typeof wire?.code === 'string' ? wire.code : (CODE_BY_STATUS[response.status] ?? (response.status >= 500 ? 'UNAVAILABLE' : 'INVALID_ARGUMENT'));
      const message = typeof wire?.message === 'string' ? wire.message : response.statusText;
      const retryAfterMs = typeof wire?.retryAfterMs === 'number' ? wire.retryAfterMs : undefined;
      throw new ApiError(code, message, response.status, retryAfterMs);
    }
    return data as T;
  }
}
