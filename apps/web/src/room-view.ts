import { LiveroomClient, type RoomEvent, type RoomKickedFrame, type RoomSnapshot } from '#sdk';
import { renderSlowMode } from './barrage-composer.js';
import { BarrageStage } from './barrage-stage.js';
import { addChatLine, clearChat, markDeleted } from './chat-log.js';
import { setSeats, watchCohost } from './cohost-panel.js';
import { hooks, log, record, resetRoomHooks } from './demo-hooks.js';
import { byId } from './dom.js';
import { errorText } from './error-messages.js';
import { onGiftEvent, showGiftsFor } from './gifts-panel.js';
import { onStats, renderStats } from './likes-panel.js';
import { refreshRole, renderRole } from './moderation-panel.js';
import { fail, notice, toErrorLike } from './notices.js';
import { isCurrent, openRoom, setOpenRoom } from './open-room.js';
import { gatewayUrls, setRoomParam } from './page-context.js';
import { currentSession, myUserId } from './session-store.js';
import { showPhase } from './views.js';

const connStatus = byId('conn-status');
const roomTitle = byId('room-title');
const roomHost = byId('room-host');
const shareLink = byId<HTMLAnchorElement>('share-link');
const leaveButton = byId<HTMLButtonElement>('leave-room');
const stageHost = byId('stage-host');
const stageState = byId('stage-state');

const stage = new BarrageStage(byId('barrage-layer'));

/** `onLeft`: the user left the room with the Leave button; the caller shows the lobby. */
export function initRoomView(onLeft: () => void): void {
  leaveButton.addEventListener('click', () => {
    leaveRoom();
    onLeft();
  });
  setConnection(false, 'offline');
}

/**
 * Opens a room: one SDK client per room (affinity to the room's gateway), joined with handlers that
 * feed the stage, chat log and panels. Events of a room the page has since left are ignored.
 */
export async function joinRoom(roomId: string): Promise<void> {
  leaveRoom();
  setRoomParam(roomId);
  resetRoomView(roomId);
  showPhase('joining');
  const client = new LiveroomClient({ urls: gatewayUrls, token: currentSession()?.token ?? undefined, affinityKey: roomId });
  setOpenRoom({ client, roomId });
  client.on('connected', (url) => setConnection(true, `connected · ${String(url)}`));
  client.on('disconnected', (reason) => setConnection(false, `disconnected (${String(reason)}), reconnecting…`));
  client.on('resumed', () => {
    setConnection(true, 'resumed: nothing missed');
    log('stream resumed');
  });
  client.on('error', (error) => log(`client error: ${error instanceof Error ? error.message : String(error)}`));
  watchCohost(client, roomId);
  setConnection(false, 'connecting…');
  try {
    await client.join(roomId, {
      onSnapshot: (snapshot, why) => isCurrent(client) && onSnapshot(snapshot, why),
      onEvents: (events) => isCurrent(client) && onEvents(events),
      onStats: (stats) => isCurrent(client) && onStats(stats),
      onKicked: (kicked) => isCurrent(client) && onKicked(client, kicked),
    });
  } catch (error) {
    if (!isCurrent(client)) return;
    setOpenRoom(null);
    client.close();
    setConnection(false, 'not in the room');
    fail('Joining the room', error);
    stageState.textContent = errorText(toErrorLike(error));
    showPhase('error');
    return;
  }
  log(`joined ${roomId}`);
  await Promise.all([refreshRole(), showGiftsFor(roomId)]);
}

/** Leaves the open room, or forgets one whose join failed (its id stays shown until then). */
export function leaveRoom(): void {
  const room = openRoom();
  setOpenRoom(null);
  setRoomParam(null);
  hooks.roomId = null;
  stage.clear();
  setConnection(false, 'offline');
  if (room) void room.client.leave(room.roomId).finally(() => room.client.close());
}

function resetRoomView(roomId: string): void {
  resetRoomHooks(roomId);
  stage.clear();
  clearChat();
  roomTitle.textContent = roomId;
  roomHost.textContent = '';
  stageHost.textContent = '…';
  stageState.textContent = 'joining…';
  shareLink.href = location.href;
  shareLink.textContent = location.href;
  renderStats();
  setSeats([]);
  renderRole();
  renderSlowMode();
}

function onSnapshot(snapshot: RoomSnapshot, why: 'joined' | 'resync'): void {
  log(`snapshot (${why}) seq ${snapshot.seq}`);
  Object.assign(hooks, { hostId: snapshot.hostId, likes: snapshot.likes, viewers: snapshot.viewers, slowModeSec: snapshot.slowModeSec });
  roomTitle.textContent = snapshot.title;
  roomHost.textContent = `host: ${snapshot.hostId}`;
  stageHost.textContent = snapshot.hostId;
  stageState.textContent = snapshot.live ? 'live' : 'ended';
  // Recent messages go to the chat log only: flying old messages across the stage would look live.
  if (why === 'resync') clearChat();
  for (const event of snapshot.recent) addChatLine(event);
  renderStats();
  setSeats(snapshot.cohosts);
  renderSlowMode();
  if (snapshot.live) showPhase('joined');
  else roomEnded();
}

function onEvents(events: RoomEvent[]): void {
  for (const event of events) {
    switch (event.type) {
      case 'barrage':
        stage.show(event, event.userId === myUserId());
        record(hooks.rendered, { seq: event.seq, userId: event.userId, text: event.text, color: event.color ?? '#ffffff', mode: event.mode ?? 'scroll' });
        addChatLine(event);
        break;
      case 'gift':
        addChatLine(event);
        onGiftEvent(event);
        break;
      case 'cohost':
        addChatLine(event);
        setSeats(event.seats);
        break;
      case 'moderation':
        if (event.action === 'delete') {
          record(hooks.deleted, event.targetSeq);
          stage.remove(event.targetSeq);
          markDeleted(event.targetSeq);
          break;
        }
        if (event.action === 'slowmode') {
          hooks.slowModeSec = event.seconds;
          renderSlowMode();
        }
        addChatLine(event);
        break;
      case 'room':
        addChatLine(event);
        roomEnded();
        break;
    }
  }
}

function onKicked(client: LiveroomClient, { reason }: RoomKickedFrame): void {
  log(`kicked: ${reason}`);
  client.close();
  if (reason === 'banned') {
    notice('error', errorText({ code: 'BANNED' }), 'BANNED');
    stageState.textContent = 'banned';
    showPhase('kicked');
  } else {
    roomEnded();
  }
  setConnection(false, reason === 'banned' ? 'banned from this room' : 'room ended');
}

function roomEnded(): void {
  if (hooks.phase === 'ended') return;
  notice('info', errorText({ code: 'ROOM_ENDED' }), 'ROOM_ENDED');
  stageState.textContent = 'ended';
  showPhase('ended');
}

function setConnection(connected: boolean, text: string): void {
  hooks.connected = connected;
  connStatus.textContent = text;
  connStatus.className = `pill ${connected ? 'pill-ok' : 'pill-off'}`;
}
