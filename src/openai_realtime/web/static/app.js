// The voice page: wires the controls, the audio engine, the transcript and a connection mode.
//
// `?mode=relay|webrtc&turns=vad|ptt&autoconnect=1` preselects the controls (tests and
// screenshots use it); `window.voice` exposes the page's state for them to read.
import { AudioEngine } from "./audio.js";
import { RelayMode } from "./relay-mode.js";
import { Transcript } from "./transcript.js";
import { WebRTCMode } from "./webrtc-mode.js";

const MODES = { relay: RelayMode, webrtc: WebRTCMode };
const $ = (id) => document.getElementById(id);

const state = {
  status: "idle",
  error: null,
  errors: [],
  events: {},
  received: {},
  truncations: [],
  sent_ms: 0, // relay mode: microphone audio sent
  transcript: [],
  call_id: null,
  answer_played: 0, // WebRTC mode: samples of the latest answer played from the call
  talking_since: null, // push to talk: performance.now() when the button went down
  get played() { return audio.played; }, // relay mode: samples playback has written
  get enqueued() { return audio.enqueued; }, // relay mode: samples handed to playback
};
window.voice = state;

const audio = new AudioEngine();
const transcript = new Transcript($("transcript"));
let session = null;

function setStatus(status, text) {
  state.status = status;
  $("status").textContent = text;
}

function onEvent(event) {
  state.events[event.type] = (state.events[event.type] || 0) + 1;
  if (event.type === "error") {
    state.errors.push(event.error);
    setStatus(state.status, `Error: ${event.error.message}`);
  }
  if (event.type === "page.barge_in") transcript.markCut(event.item_id);
  transcript.handle(event);
  state.transcript = transcript.lines();
}

async function connect() {
  const config = await (await fetch("config.json")).json();
  const Mode = MODES[$("mode").value];
  const turns = $("turns").value;
  audio.onLevel = (level) => { $("level").style.width = `${Math.min(100, level * 300)}%`; };
  session = new Mode({ config, audio, turns, onEvent, state });
  setStatus("connecting", "Connecting…");
  try {
    await session.connect();
  } catch (error) {
    state.error = String(error);
    setStatus("failed", `Could not connect: ${error.message}`);
    return;
  }
  $("talk").disabled = turns !== "ptt";
  $("connect").textContent = "Hang up";
  setStatus("connected", turns === "ptt" ? "Connected: hold the button to talk" : "Connected: just talk");
}

$("connect").addEventListener("click", () => {
  if (session) {
    session.close();
    session = null;
    $("connect").textContent = "Connect";
    $("talk").disabled = true;
    setStatus("idle", "Not connected");
  } else {
    connect();
  }
});
$("talk").addEventListener("pointerdown", () => {
  if (!session) return;
  state.talking_since = performance.now();
  session.pressTalk();
});
$("talk").addEventListener("pointerup", () => {
  if (!session) return;
  state.talking_since = null;
  session.releaseTalk();
});

const params = new URLSearchParams(location.search);
if (params.has("mode")) $("mode").value = params.get("mode");
if (params.has("turns")) $("turns").value = params.get("turns");
if (params.get("autoconnect") === "1") connect();
