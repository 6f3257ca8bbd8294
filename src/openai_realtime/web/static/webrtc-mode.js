// WebRTC mode: the page gets a short-lived client secret from its server, sends its SDP offer
// to the Realtime calls endpoint, and hands the call id back to its server, whose sideband
// connection owns the instructions and runs the tools. The service plays the answer into the
// call and truncates it on barge-in itself, so the page sends no truncate.
import { MICROPHONE } from "./audio.js";

export class WebRTCMode {
  constructor({ config, audio, turns, onEvent, state }) {
    this.config = config;
    this.audio = audio;
    this.turns = turns;
    this.onEvent = onEvent;
    this.state = state;
    this.peer = null;
    this.channel = null;
    this.microphone = null;
    this.answer = null;
    this.responseActive = false;
  }

  async connect() {
    const session = await (await fetch("session", { method: "POST" })).json();
    this.peer = new RTCPeerConnection({ iceServers: [] });
    // The microphone joins once the call is up (no renegotiation: the sender is reserved now),
    // so nothing said while connecting is lost.
    const { sender } = this.peer.addTransceiver("audio", { direction: "sendrecv" });
    const remote = new Promise((resolve) => {
      this.peer.ontrack = ({ streams }) => resolve(streams[0]);
    });
    this.channel = this.peer.createDataChannel("oai-events");
    this.channel.onmessage = ({ data }) => this.receive(JSON.parse(data));
    const opened = new Promise((resolve) => { this.channel.onopen = resolve; });
    await this.peer.setLocalDescription(await this.peer.createOffer());
    await gatheringComplete(this.peer);
    const answer = await fetch(session.calls_url, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${session.client_secret}`,
        "Content-Type": "application/sdp",
      },
      body: this.peer.localDescription.sdp,
    });
    if (!answer.ok) throw new Error(`the calls endpoint answered ${answer.status}`);
    const callId = answer.headers.get("Location").split("/").pop();
    await this.peer.setRemoteDescription({ type: "answer", sdp: await answer.text() });
    this.state.call_id = callId;
    await this.audio.start({ capture: false });
    await this.audio.playStream(await remote, (samples, voiced) => this.played(samples, voiced));
    await opened;
    // The client secret's session listens with server VAD; push to talk turns it off before
    // the microphone joins, so only the button ends a turn.
    if (this.turns === "ptt") {
      this.send({
        type: "session.update",
        session: { type: "realtime", audio: { input: { turn_detection: null } } },
      });
    }
    // Our server's sideband joins the call: it sets the instructions and runs the tools.
    const attached = await fetch("sideband", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ call_id: callId }),
    });
    if (!attached.ok) throw new Error(`the server could not join the call (${attached.status})`);
    this.microphone = await navigator.mediaDevices.getUserMedia(MICROPHONE);
    const [track] = this.microphone.getAudioTracks();
    track.enabled = this.turns === "vad";
    await sender.replaceTrack(track);
    const level = this.audio.context.createAnalyser();
    this.audio.context.createMediaStreamSource(this.microphone).connect(level);
    watchLevel(level, this.audio.onLevel);
  }

  receive(event) {
    if (event.type === "response.created") {
      this.responseActive = true;
    } else if (event.type === "response.done") {
      this.responseActive = false;
    } else if (event.type === "output_audio_buffer.started") {
      this.answer = { id: event.response_id, heard: false };
      this.state.answer_played = 0;
    } else if (event.type === "output_audio_buffer.stopped" ||
               event.type === "output_audio_buffer.cleared") {
      this.answer = null;
    }
    this.onEvent(event);
  }

  // The answer's clock: samples played from its first sound until the service stops it.
  played(samples, voiced) {
    if (!this.answer || !(voiced || this.answer.heard)) return;
    this.answer.heard = true;
    this.state.answer_played += samples;
  }

  send(event) {
    if (this.channel && this.channel.readyState === "open") {
      this.channel.send(JSON.stringify(event));
    }
  }

  // Push to talk: the press stops the answer (the service truncates it at what it played)
  // and opens the new turn.
  async pressTalk() {
    if (this.responseActive) this.send({ type: "response.cancel" });
    this.send({ type: "output_audio_buffer.clear" });
    this.send({ type: "input_audio_buffer.clear" });
    for (const track of this.microphone.getAudioTracks()) track.enabled = true;
  }

  releaseTalk() {
    for (const track of this.microphone.getAudioTracks()) track.enabled = false;
    this.send({ type: "input_audio_buffer.commit" });
    this.send({ type: "response.create" });
  }

  close() {
    if (this.peer) this.peer.close();
    this.audio.close();
  }
}

function gatheringComplete(peer) {
  if (peer.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    peer.addEventListener("icegatheringstatechange", () => {
      if (peer.iceGatheringState === "complete") resolve();
    });
  });
}

function watchLevel(analyser, report) {
  const samples = new Float32Array(analyser.fftSize);
  const tick = () => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    report(Math.sqrt(sum / samples.length));
    requestAnimationFrame(tick);
  };
  tick();
}
