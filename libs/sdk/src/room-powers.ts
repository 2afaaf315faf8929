import type { CohostSession, CohostSignalRelay, CohostUpdate } from '#contracts';

/** What the feature APIs need of the client. */
export interface RequestSender {
  request<T extends object>(event: string, payload: object, attempts?: number): Promise<T>;
  onServer<T>(event: string, listener: (payload: T) => void): () => void;
}

type SessionResult = { session: CohostSession };

/**
 * Co-hosting (PROTOCOL §5). Requests are sent once: a retry after an unknown outcome would be
 * refused (one open session per guest, a state already left), so the caller sees the real error.
 */
export class CohostApi {
  constructor(private readonly client: RequestSender) {}

  request(roomId: string): Promise<CohostSession> {
    return this.session('cohost:request', { roomId });
  }
  invite(roomId: string, userId: string): Promise<CohostSession> {
    return this.session('cohost:invite', { roomId, userId });
  }
  accept(sessionId: string): Promise<CohostSession> {
    return this.session('cohost:accept', { sessionId });
  }
  reject(sessionId: string): Promise<CohostSession> {
    return this.session('cohost:reject', { sessionId });
  }
  cancel(sessionId: string): Promise<CohostSession> {
    return this.session('cohost:cancel', { sessionId });
  }
  end(sessionId: string): Promise<CohostSession> {
    return this.session('cohost:end', { sessionId });
  }
  /** WebRTC offer/answer/ICE (any JSON ≤ 16 KiB) to the other party of an active session. */
  async signal(sessionId: string, data: unknown): Promise<void> {
    await this.client.request('cohost:signal', { sessionId, data }, 1);
  }
  onUpdate(listener: (update: CohostUpdate) => void): () => void {
    return this.client.onServer('cohost:update', listener);
  }
  onSignal(listener: (signal: CohostSignalRelay) => void): () => void {
    return this.client.onServer('cohost:signal', listener);
  }

  private async session(event: string, payload: object): Promise<CohostSession> {
    return (await this.client.request<SessionResult>(event, payload, 1)).session;
  }
}

/** Moderation powers (PROTOCOL §6): host, room moderators and admins. All are idempotent, so retried. */
export class ModerationApi {
  constructor(private readonly client: RequestSender) {}

  async mute(roomId: string, userId: string, seconds?: number): Promise<void> {
    await this.client.request('mod:mute', seconds === undefined ? { roomId, userId } : { roomId, userId, seconds });
  }
  async unmute(roomId: string, userId: string): Promise<void> {
    await this.client.request('mod:unmute', { roomId, userId });
  }
  async ban(roomId: string, userId: string): Promise<void> {
    await this.client.request('mod:ban', { roomId, userId });
  }
  async unban(roomId: string, userId: string): Promise<void> {
    await this.client.request('mod:unban', { roomId, userId });
  }
  /** Deletes the room event with this seq (a `moderation/delete` event tells every viewer). */
  async deleteEvent(roomId: string, seq: number): Promise<void> {
    await this.client.request('mod:delete', { roomId, seq });
  }
  async slowMode(roomId: string, seconds: number): Promise<void> {
    await this.client.request('mod:slowmode', { roomId, seconds });
  }
}
