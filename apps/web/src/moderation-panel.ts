import type { LiveroomClient } from '#sdk';
import { hooks, log, type RoomRole } from './demo-hooks.js';
import { byId } from './dom.js';
import { attempt, fail, notice, toErrorLike } from './notices.js';
import { openRoom } from './open-room.js';
import { http } from './page-context.js';
import { currentSession, myUserId } from './session-store.js';

const roleBadge = byId('role-badge');
const panel = byId('mod-panel');
const hint = byId('mod-hint');
const recheckButton = byId<HTMLButtonElement>('mod-recheck');
const hostOnly = byId('mod-host-only');
const userInput = byId<HTMLInputElement>('mod-user');
const muteSecondsInput = byId<HTMLInputElement>('mod-seconds');
const slowSecondsInput = byId<HTMLInputElement>('mod-slow');
const seqInput = byId<HTMLInputElement>('mod-seq');

const ROLE_LABEL: Record<RoomRole, string> = {
  host: 'host',
  admin: 'admin',
  moderator: 'moderator',
  viewer: 'viewer',
  anonymous: 'anonymous viewer',
};
const MODERATING_ROLES: ReadonlySet<RoomRole> = new Set(['host', 'admin', 'moderator']);

export function canModerate(): boolean {
  return hooks.role !== null && MODERATING_ROLES.has(hooks.role);
}

/**
 * Asks the gateway for the caller's role in the open room (a moderator appointed by the host is known
 * only there). If that fails the page falls back to what it knows itself (host, admin token).
 */
export async function refreshRole(): Promise<void> {
  const roomId = hooks.roomId;
  if (!roomId) return;
  let role: RoomRole;
  try {
    role = myUserId() ? (await http.roomRole(roomId)).role : 'anonymous';
  } catch (error) {
    log(`role lookup failed: ${toErrorLike(error).code}`);
    role = localRole();
  }
  if (hooks.roomId !== roomId) return;
  hooks.role = role;
  renderRole();
}

function localRole(): RoomRole {
  const me = myUserId();
  if (!me) return 'anonymous';
  if (me === hooks.hostId) return 'host';
  return currentSession()?.admin ? 'admin' : 'viewer';
}

/** Moderator controls for the host, room moderators and admins; making moderators and ending for host/admin. */
export function renderRole(): void {
  const role = hooks.role;
  roleBadge.textContent = role ? ROLE_LABEL[role] : '';
  const allowed = canModerate();
  panel.hidden = !allowed;
  hostOnly.hidden = role !== 'host' && role !== 'admin';
  recheckButton.hidden = allowed || role === 'anonymous';
  document.body.classList.toggle('mod-on', allowed);
  hint.textContent = allowed
    ? `You can moderate this room: you are ${role === 'host' ? 'its host' : role === 'admin' ? 'an admin' : 'one of its moderators'}.`
    : 'Moderator controls are shown to the host, the room’s moderators and admins.';
}

/** Runs a moderation request against the open room; a refusal may mean the role changed, so it is re-read. */
export async function moderate(what: string, work: (client: LiveroomClient, roomId: string) => Promise<void>, done: string): Promise<void> {
  const room = openRoom();
  if (!room) return;
  try {
    await work(room.client, room.roomId);
    notice('info', done);
  } catch (error) {
    fail(what, error);
    if (toErrorLike(error).code === 'FORBIDDEN') void refreshRole();
  }
}

function targetUser(): string | null {
  const userId = userInput.value.trim();
  if (!userId) notice('error', 'Enter the user id to act on.', 'INVALID_ARGUMENT');
  return userId || null;
}

function whole(input: HTMLInputElement): number {
  return Math.trunc(Number(input.value) || 0);
}

/** Each button of the panel (index.html ids) and what it does. */
const ACTIONS: Record<string, () => void> = {
  'mod-mute': () => {
    const userId = targetUser();
    const seconds = whole(muteSecondsInput);
    if (userId) void moderate(`Muting ${userId}`, (c, r) => c.moderation.mute(r, userId, seconds || undefined), `${userId} is muted${seconds ? ` for ${seconds} s` : ''}.`);
  },
  'mod-unmute': () => {
    const userId = targetUser();
    if (userId) void moderate(`Unmuting ${userId}`, (c, r) => c.moderation.unmute(r, userId), `${userId} may send again.`);
  },
  'mod-ban': () => {
    const userId = targetUser();
    if (userId) void moderate(`Banning ${userId}`, (c, r) => c.moderation.ban(r, userId), `${userId} is banned.`);
  },
  'mod-unban': () => {
    const userId = targetUser();
    if (userId) void moderate(`Unbanning ${userId}`, (c, r) => c.moderation.unban(r, userId), `${userId} may join again.`);
  },
  'mod-slow-set': () => {
    const seconds = whole(slowSecondsInput);
    void moderate('Setting slow mode', (c, r) => c.moderation.slowMode(r, seconds), seconds > 0 ? `Slow mode: one message per ${seconds} s.` : 'Slow mode is off.');
  },
  'mod-delete': () => {
    const seq = whole(seqInput);
    void moderate('Deleting the message', (c, r) => c.moderation.deleteEvent(r, seq), `Message #${seq} deleted.`);
  },
  'mod-add': () => {
    const userId = targetUser();
    const roomId = hooks.roomId;
    if (!userId || !roomId) return;
    void attempt(`Making ${userId} a moderator`, async () => {
      await http.addModerator(roomId, userId);
      notice('info', `${userId} is now a moderator of this room (their page shows the controls after “Check my role again” or a rejoin).`);
    });
  },
  'mod-end': () => {
    const roomId = hooks.roomId;
    if (roomId && confirm('End this room for everyone?')) void attempt('Ending the room', () => http.endRoom(roomId));
  },
};

export function initModeration(): void {
  for (const [id, action] of Object.entries(ACTIONS)) byId(id).addEventListener('click', action);
  recheckButton.addEventListener('click', () => void refreshRole());
}
