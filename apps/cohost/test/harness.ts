import type { Socket } from 'socket.io-client';
import type { CohostSession, CohostSignalRelay, CohostUpdate } from '#contracts';
import { connect, EventInbox, type ReceivedEvent, StreamRecorder, type TestSystem, tokenFor } from '#testing';

export type Ack<T = object> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

/** A connected user with inboxes of the co-host events. */
export interface Party {
  userId: string;
  socket: Socket;
  updates: EventInbox<CohostUpdate>;
  signals: EventInbox<CohostSignalRelay>;
}

export async function party(system: TestSystem, userId: string, gateway = 0, sockets: Socket[] = []): Promise<Party> {
  const socket = await connect(system.gateways[gateway]!.url, await tokenFor(userId));
  sockets.push(socket);
  return { userId, socket, updates: new EventInbox(socket, 'cohost:update'), signals: new EventInbox(socket, 'cohost:signal') };
}

export async function join(p: Party, roomId: string): Promise<void> {
  const ack = (await p.socket.emitWithAck('room:join', { roomId })) as Ack;
  if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
}

export async function call<T = { session: CohostSession }>(p: Party, event: string, payload: object): Promise<Ack<T>> {
  return (await p.socket.emitWithAck(event, payload)) as Ack<T>;
}

/** The session from an ok ack (throws with the ack otherwise). */
export function sessionOf(ack: Ack<{ session: CohostSession }>): CohostSession {
  if (!ack.ok) throw new Error(`expected ok, got ${JSON.stringify(ack)}`);
  return ack.session;
}

export function updateFor(p: Party, sessionId: string, state: CohostSession['state'], timeoutMs?: number): Promise<CohostUpdate> {
  return p.updates.next((u) => u.session.id === sessionId && u.session.state === state, timeoutMs);
}

export interface Watcher {
  recorder: StreamRecorder;
  frames: EventInbox<{ roomId: string; events: ReceivedEvent[] }>;
}

/** A viewer of the room: its whole stream (recorder) and its frames, to await a given event. */
export async function watch(system: TestSystem, roomId: string, sockets: Socket[] = []): Promise<Watcher> {
  const socket = await connect(system.gateways[0]!.url, await tokenFor(`watcher-${roomId}`));
  sockets.push(socket);
  const recorder = new StreamRecorder(socket, roomId);
  const frames = new EventInbox<{ roomId: string; events: ReceivedEvent[] }>(socket, 'room:events');
  const ack = await recorder.join();
  if (!ack.ok) throw new Error(`watcher join failed: ${JSON.stringify(ack)}`);
  return { recorder, frames };
}

/** The next `cohost` room event matching action and userId. */
export async function cohostEvent(w: Watcher, action: 'joined' | 'left', userId: string): Promise<ReceivedEvent> {
  const match = (e: ReceivedEvent) => e.type === 'cohost' && e.action === action && e.userId === userId;
  const frame = await w.frames.next((f) => f.events.some(match));
  return frame.events.find(match) as ReceivedEvent;
}
