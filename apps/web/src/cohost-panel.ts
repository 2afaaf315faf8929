import type { CohostSession, LiveroomClient } from '#sdk';
import { hooks, log } from './demo-hooks.js';
import { button, byId, h } from './dom.js';
import { attempt, notice } from './notices.js';
import { isCurrent, openRoom } from './open-room.js';
import { currentSession, myUserId } from './session-store.js';

/** COHOST_MAX_SEATS' default: the page cannot know the server's setting, so it shows at least this many. */
const SHOWN_SEATS = 3;
const END_REASONS: Record<string, (session: CohostSession) => string> = {
  // The side that did not start the session is the one that declined.
  rejected: (s) => `${s.initiator === 'host' ? s.guestId : s.hostId} declined`,
  cancelled: () => 'it was cancelled',
  timeout: () => 'nobody answered within 30 s',
  disconnected: (s) => `${s.guestId} lost the connection`,
  ended: () => 'the seat was left',
};

const seatsBox = byId('seats');
const actionsBox = byId('cohost-actions');
const videoLink = byId<HTMLAnchorElement>('cohost-video-link');

/** The sessions this user is a party to in the open room (pending or active), by id. */
const sessions = new Map<string, CohostSession>();

/** Follows `cohost:update` for the room's client (the SDK keeps it across reconnects). */
export function watchCohost(client: LiveroomClient, roomId: string): void {
  sessions.clear();
  client.cohost.onUpdate(({ session }) => {
    if (isCurrent(client) && session.roomId === roomId) onSessionUpdate(session);
  });
}

/** Seats changed (snapshot or `cohost` event). */
export function setSeats(seats: string[]): void {
  hooks.seats = [...seats];
  renderCohost();
}

function onSessionUpdate(session: CohostSession): void {
  log(`cohost ${session.id} ${session.state}${session.endReason ? ` (${session.endReason})` : ''}`);
  if (session.state !== 'ended') {
    sessions.set(session.id, session);
  } else if (sessions.delete(session.id)) {
    // Told once: the request's own answer and the cohost:update that follows carry the same end.
    const other = session.hostId === myUserId() ? session.guestId : session.hostId;
    const why = END_REASONS[session.endReason ?? 'ended']?.(session) ?? session.endReason;
    notice('info', `Co-host session with ${other} ended: ${why}.`);
  }
  renderCohost();
}

/** Sends one co-host request; its answer is applied at once (the update event may come later). */
function act(what: string, work: (client: LiveroomClient, roomId: string) => Promise<CohostSession>): void {
  const room = openRoom();
  if (room) void attempt(what, async () => onSessionUpdate(await work(room.client, room.roomId)));
}

export function renderCohost(): void {
  renderSeats();
  actionsBox.replaceChildren(...actionsFor(myUserId()));
  updateVideoLink();
}

function renderSeats(): void {
  const me = myUserId();
  const iAmHost = me !== null && me === hooks.hostId;
  seatsBox.replaceChildren(
    ...Array.from({ length: Math.max(SHOWN_SEATS, hooks.seats.length) }, (_, i) => {
      const guestId = hooks.seats[i];
      if (!guestId) return h('div', { class: 'seat empty' }, h('span', { class: 'seat-icon' }, '🎙'), h('span', {}, 'free seat'));
      const mine = [...sessions.values()].find((s) => s.state === 'active' && s.guestId === guestId && (iAmHost || guestId === me));
      return h(
        'div',
        { class: `seat${guestId === me ? ' me' : ''}`, 'data-user': guestId },
        h('span', { class: 'seat-icon' }, '🎥'),
        h('span', { class: 'who' }, guestId),
        mine ? button(iAmHost ? 'End' : 'Leave seat', () => act('Ending the co-host session', (c) => c.cohost.end(mine.id)), { class: 'small' }) : null,
      );
    }),
  );
}

/** What this user can do about seats: the host invites and answers requests, a viewer asks or answers. */
function actionsFor(me: string | null): HTMLElement[] {
  if (!me) return [h('p', { class: 'hint' }, 'Sign in to ask for a seat.')];
  const pending = [...sessions.values()].filter((s) => s.state === 'pending');
  if (me === hooks.hostId) {
    const invitee = h('input', { id: 'cohost-invite-user', placeholder: 'user id', 'aria-label': 'user id to invite', maxlength: 64 });
    const invite = button('Invite to a seat', () => {
      const guestId = invitee.value.trim();
      if (guestId) act(`Inviting ${guestId}`, (c, roomId) => c.cohost.invite(roomId, guestId));
    });
    return [
      h('div', { class: 'row' }, invitee, invite),
      ...pending.map((s) =>
        s.initiator === 'guest'
          ? h('div', { class: 'request' }, `${s.guestId} asks for a seat `, ...answerButtons(s))
          : h('div', { class: 'request' }, `Invited ${s.guestId}, waiting… `, button('Cancel', () => act('Cancelling', (c) => c.cohost.cancel(s.id)), { class: 'small' })),
      ),
    ];
  }
  const mine = [...sessions.values()].find((s) => s.guestId === me);
  if (!mine) return [button('Request a seat', () => act('Seat request', (c, roomId) => c.cohost.request(roomId)), { class: 'primary', id: 'cohost-request' })];
  if (mine.state === 'active') return [h('p', { class: 'hint' }, 'You are on a seat (video: see the co-host video demo).')];
  if (mine.initiator === 'guest') {
    return [h('div', { class: 'request' }, 'Waiting for the host to accept… ', button('Cancel', () => act('Cancelling', (c) => c.cohost.cancel(mine.id)), { class: 'small' }))];
  }
  return [h('div', { class: 'request' }, 'The host invites you to a seat ', ...answerButtons(mine))];
}

function answerButtons(session: CohostSession): HTMLButtonElement[] {
  return [
    button('Accept', () => act('Accepting', (c) => c.cohost.accept(session.id)), { class: 'primary small' }),
    button('Reject', () => act('Rejecting', (c) => c.cohost.reject(session.id)), { class: 'small' }),
  ];
}

/** The co-host video demo (/demo/cohost.html) opened as this user, in this room. */
function updateVideoLink(): void {
  const session = currentSession();
  const me = session?.userId;
  if (!me || !session.token || !hooks.roomId) {
    videoLink.href = '/demo/cohost.html';
    return;
  }
  const query = new URLSearchParams({ token: session.token, room: hooks.roomId, role: me === hooks.hostId ? 'host' : 'guest' });
  videoLink.href = `/demo/cohost.html?${query.toString()}`;
}
