// liveroom co-host demo (PROTOCOL.md §5). One page per party:
//   /demo/cohost.html?token=<jwt>&room=<roomId>&role=host&guest=<userId to invite>
//   /demo/cohost.html?token=<jwt>&room=<roomId>&role=guest
// The host invites, the guest accepts; once the session is active the host offers a WebRTC call and
// both sides exchange the offer, the answer and ICE candidates through `cohost:signal`. Video flows both
// ways, peer to peer. Plain browser JS, no build step; `window.cohostDemo` is read by the browser test.
(() => {
  'use strict';

  const params = new URLSearchParams(location.search);
  const token = params.get('token') || undefined;
  const roomId = params.get('room') || '';
  const isHost = params.get('role') === 'host';
  const inviteeId = params.get('guest') || '';
  const me = token ? jwtSubject(token) : null;

  const $ = (id) => document.getElementById(id);
  const ui = {
    who: $('who'),
    room: $('room'),
    state: $('state'),
    pcState: $('pc-state'),
    localVideo: $('local-video'),
    remoteVideo: $('remote-video'),
    invite: $('invite'),
    accept: $('accept'),
    end: $('end'),
    log: $('log'),
  };

  /** Test hooks (and a handy console handle). */
  const demo = {
    /** connecting | joined | pending | active | ended | error */
    state: 'connecting',
    /** The current co-host session, as last seen from the server. */
    session: null,
    /** RTCPeerConnection.connectionState of the call, 'new' before there is one. */
    pcState: 'new',
    log: [],
    remoteFrames,
  };
  window.cohostDemo = demo;

  let localStream = null;
  let pc = null;
  /** ICE candidates that arrived before the remote description was set. */
  let pendingIce = [];
  /** Every step of the call runs on this chain, one at a time, in arrival order. */
  let work = Promise.resolve();
  const enqueue = (step) => {
    work = work.then(step).catch((error) => log(`error: ${error && error.message ? error.message : error}`));
    return work;
  };

  ui.who.textContent = `${me || 'anonymous'} (${isHost ? 'host' : 'guest'})`;
  ui.room.textContent = roomId;

  // ---- camera -------------------------------------------------------------------------------------

  const camera = navigator.mediaDevices
    .getUserMedia({ video: true, audio: false })
    .then((stream) => {
      localStream = stream;
      ui.localVideo.srcObject = stream;
      log('camera on');
    })
    .catch((error) => log(`no camera (${error.name}): receiving only`));

  // ---- signaling server ---------------------------------------------------------------------------

  const socket = io({ auth: token ? { token } : {}, transports: ['websocket'] });

  socket.on('connect', async () => {
    log(`connected (${socket.id})`);
    const ack = await request('room:join', { roomId });
    if (!ack.ok) return setState('error');
    log(`joined room ${roomId}, seq ${ack.room.seq}, co-hosts [${(ack.room.cohosts || []).join(', ')}]`);
    if (!demo.session) setState('joined');
  });
  socket.on('connect_error', (error) => {
    log(`connect_error: ${error.message}`);
    if (error.message === 'UNAUTHORIZED') setState('error');
  });
  socket.on('disconnect', (reason) => log(`disconnected: ${reason}`));

  socket.on('room:events', ({ roomId: id, events }) => {
    if (id !== roomId) return;
    for (const event of events) {
      if (event.type === 'cohost') log(`room #${event.seq}: ${event.userId} ${event.action}, seats [${event.seats.join(', ')}]`);
      else if (event.type === 'room') log(`room #${event.seq}: room ${event.action}`);
    }
  });
  socket.on('room:kicked', ({ reason }) => log(`kicked from the room: ${reason}`));

  socket.on('cohost:update', ({ session }) => applySession(session));
  socket.on('cohost:signal', (relay) => enqueue(() => onSignal(relay)));

  /** Emits with an ack; resolves with the ack (a timeout becomes an error ack). */
  function request(event, payload) {
    return new Promise((resolve) => {
      socket.timeout(6000).emit(event, payload, (error, ack) => {
        const result = error ? { ok: false, error: { code: 'TIMEOUT', message: error.message } } : ack;
        if (!result.ok) log(`${event} failed: ${result.error.code} ${result.error.message}`);
        resolve(result);
      });
    });
  }

  /** A session-changing request: its ack carries the session too. */
  async function sessionRequest(event, payload) {
    const ack = await request(event, payload);
    if (ack.ok) applySession(ack.session);
  }

  function signal(data) {
    if (!demo.session) return Promise.resolve();
    return request('cohost:signal', { sessionId: demo.session.id, data });
  }

  // ---- buttons ------------------------------------------------------------------------------------

  ui.invite.addEventListener('click', () => sessionRequest('cohost:invite', { roomId, userId: inviteeId }));
  ui.accept.addEventListener('click', () => sessionRequest('cohost:accept', { sessionId: demo.session.id }));
  ui.end.addEventListener('click', () => sessionRequest('cohost:end', { sessionId: demo.session.id }));

  function render() {
    const session = demo.session;
    const live = session && session.state !== 'ended';
    ui.invite.hidden = !(isHost && inviteeId && demo.state !== 'connecting' && demo.state !== 'error' && !live);
    ui.accept.hidden = !(session && session.state === 'pending' && session.initiator === 'host' && !isHost);
    ui.end.hidden = !(session && session.state === 'active');
  }

  // ---- session ------------------------------------------------------------------------------------

  const ORDER = { pending: 0, active: 1, ended: 2 };

  function applySession(session) {
    if (!session || session.roomId !== roomId) return;
    const current = demo.session;
    if (current && current.id !== session.id && current.state !== 'ended') {
      log(`ignoring session ${session.id} (${session.state}): busy with ${current.id}`);
      return;
    }
    const same = current && current.id === session.id;
    // An ack and a cohost:update may cross: never step back.
    if (same && ORDER[session.state] < ORDER[current.state]) return;
    demo.session = session;
    if (same && session.state === current.state) return render();

    log(`session ${session.id}: ${session.state}${session.endReason ? ` (${session.endReason})` : ''}`);
    setState(session.state);
    if (session.state === 'active' && isHost) enqueue(() => call(session.id));
    if (session.state === 'ended') enqueue(hangUp);
  }

  // ---- WebRTC -------------------------------------------------------------------------------------

  async function createPeer(sessionId) {
    await camera;
    const peer = new RTCPeerConnection({ iceServers: [] });
    pc = peer;
    pendingIce = [];
    if (localStream) for (const track of localStream.getTracks()) peer.addTrack(track, localStream);
    else peer.addTransceiver('video', { direction: 'recvonly' });

    peer.ontrack = ({ track, streams }) => {
      log(`remote ${track.kind} track`);
      ui.remoteVideo.srcObject = streams[0] || new MediaStream([track]);
    };
    peer.onicecandidate = ({ candidate }) => {
      if (candidate && pc === peer) signal({ type: 'ice', candidate: candidate.toJSON() });
    };
    peer.onconnectionstatechange = () => {
      if (pc !== peer) return;
      setPcState(peer.connectionState);
      log(`peer connection ${peer.connectionState}`);
    };
    log(`peer connection for ${sessionId}`);
    return peer;
  }

  /** Host: the session went active, so offer the call. */
  async function call(sessionId) {
    if (pc || !demo.session || demo.session.id !== sessionId || demo.session.state !== 'active') return;
    const peer = await createPeer(sessionId);
    await peer.setLocalDescription(await peer.createOffer());
    await signal({ type: 'offer', sdp: peer.localDescription.sdp });
    log('offer sent');
  }

  async function onSignal({ sessionId, from, data }) {
    if (!demo.session || demo.session.id !== sessionId || demo.session.state === 'ended' || !data) return;
    if (data.type === 'offer' && !isHost) {
      const peer = pc || (await createPeer(sessionId));
      await peer.setRemoteDescription({ type: 'offer', sdp: data.sdp });
      await addPendingIce(peer);
      await peer.setLocalDescription(await peer.createAnswer());
      await signal({ type: 'answer', sdp: peer.localDescription.sdp });
      log(`answered ${from}`);
    } else if (data.type === 'answer' && isHost && pc) {
      await pc.setRemoteDescription({ type: 'answer', sdp: data.sdp });
      await addPendingIce(pc);
      log(`answer from ${from}`);
    } else if (data.type === 'ice' && data.candidate) {
      if (pc && pc.remoteDescription) await pc.addIceCandidate(data.candidate);
      else pendingIce.push(data.candidate);
    }
  }

  async function addPendingIce(peer) {
    const candidates = pendingIce;
    pendingIce = [];
    for (const candidate of candidates) await peer.addIceCandidate(candidate);
  }

  function hangUp() {
    if (!pc) return;
    pc.close();
    pc = null;
    pendingIce = [];
    ui.remoteVideo.srcObject = null;
    setPcState('closed');
    log('call closed');
  }

  /** Video frames decoded from the other party so far (0 without a call). */
  async function remoteFrames() {
    if (!pc) return 0;
    let frames = 0;
    (await pc.getStats()).forEach((report) => {
      if (report.type === 'inbound-rtp' && report.kind === 'video') frames += report.framesDecoded || 0;
    });
    return frames;
  }

  // ---- helpers ------------------------------------------------------------------------------------

  function setState(state) {
    demo.state = state;
    ui.state.textContent = state;
    render();
  }

  function setPcState(state) {
    demo.pcState = state;
    ui.pcState.textContent = state;
  }

  function log(line) {
    const entry = `${new Date().toISOString().slice(11, 23)} ${line}`;
    demo.log.push(entry);
    ui.log.textContent += `${entry}\n`;
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function jwtSubject(jwt) {
    try {
      const payload = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(payload)).sub || null;
    } catch {
      return null;
    }
  }
})();
