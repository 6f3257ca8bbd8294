// Relay mode: JSON events over a WebSocket to the server's relay, which holds the API key and
// runs the tools. The page plays the audio itself, so it truncates on barge-in by its own clock.
import { SAMPLE_RATE, fromBase64, toBase64 } from "./audio.js";

export class RelayMode {
  constructor({ config, audio, turns, onEvent, state }) {
    this.config = config;
    this.audio = audio;
    this.turns = turns;
    this.onEvent = onEvent;
    this.state = state;
    this.socket = null;
    this.talking = turns === "vad";
    this.responseActive = false;
    this.current = null; // the assistant audio item playing: { id, start, received }
    this.cut = new Set(); // ids of answers a barge-in cut: their audio still arriving is dropped
  }

  async connect() {
    this.socket = new WebSocket(this.config.relay_url, ["realtime"]);
    await new Promise((resolve, reject) => {
      this.socket.onopen = resolve;
      this.socket.onerror = () => reject(new Error("the relay refused the connection"));
    });
    this.socket.onmessage = ({ data }) => this.receive(JSON.parse(data));
    this.socket.onclose = () => this.onEvent({ type: "page.closed" });
    this.send({
      type: "session.update",
      session: {
        type: "realtime",
        audio: {
          input: {
            format: { type: "audio/pcm", rate: SAMPLE_RATE },
            turn_detection:
              this.turns === "vad" ? { type: "server_vad", silence_duration_ms: 400 } : null,
          },
          output: { format: { type: "audio/pcm", rate: SAMPLE_RATE } },
        },
      },
    });
    this.audio.onPlayed = (played) => this.clockCheck(played);
    this.audio.onChunk = (samples) => {
      if (!this.talking) return;
      this.send({ type: "input_audio_buffer.append", audio: toBase64(samples) });
      this.state.sent_ms += (samples.length * 1000) / SAMPLE_RATE;
    };
    await this.audio.start({ capture: true });
  }

  send(event) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(event));
    }
  }

  receive(event) {
    switch (event.type) {
      case "response.created":
        this.responseActive = true;
        break;
      case "response.done":
        this.responseActive = false;
        break;
      case "response.output_audio.delta": {
        const samples = fromBase64(event.delta);
        const id = event.item_id;
        this.state.received[id] = (this.state.received[id] || 0) + samples.length;
        // Sent before the service heard the cancel: the user has already moved on.
        if (this.cut.has(id)) break;
        if (!this.current || this.current.id !== id) {
          this.current = { id, start: this.audio.enqueued, received: 0 };
        }
        this.current.received += samples.length;
        this.audio.enqueue(samples);
        break;
      }
      case "response.output_audio.done":
        this.audio.drain();
        break;
      case "input_audio_buffer.speech_started":
        this.bargeIn();
        break;
      default:
        break;
    }
    this.onEvent(event);
  }

  // When the answer started playing, by the wall clock: barge-in reports how long it played
  // by that clock too, a check on the sample count (both should agree within a few chunks).
  clockCheck(played) {
    const item = this.current;
    if (item && item.startedAt === undefined && played > item.start) {
      item.startedAt = performance.now() - ((played - item.start) * 1000) / SAMPLE_RATE;
    }
  }

  // The user spoke over the answer (server VAD heard it, or the talk button was pressed):
  // stop playback and cut the stored answer where it stopped. Everything up to the first
  // `await` runs at once, before the caller goes on to start the new turn.
  async bargeIn() {
    const streaming = this.responseActive;
    // With server VAD the service cancels the answer itself when speech starts.
    if (streaming && this.turns === "ptt") this.send({ type: "response.cancel" });
    const item = this.current;
    // An answer fully received and fully played was heard to its end: nothing to cut.
    if (!item || (!streaming && this.audio.played >= item.start + item.received)) return;
    this.current = null;
    this.cut.add(item.id);
    const played = await this.audio.clear();
    const heard = Math.max(0, Math.min(played - item.start, item.received));
    const audioEndMs = Math.floor((heard * 1000) / SAMPLE_RATE);
    this.send({
      type: "conversation.item.truncate",
      item_id: item.id,
      content_index: 0,
      audio_end_ms: audioEndMs,
    });
    const wallMs = item.startedAt === undefined ? 0 : performance.now() - item.startedAt;
    this.state.truncations.push({
      item_id: item.id,
      played: heard,
      played_total: played,
      audio_end_ms: audioEndMs,
      wall_ms: Math.round(wallMs),
    });
    this.onEvent({ type: "page.barge_in", item_id: item.id });
  }

  // Push to talk: the press interrupts the answer and opens the new turn at once (the
  // service's input buffer emptied first, so the turn holds only what is said while held);
  // the truncate follows as soon as playback reports where it stopped.
  pressTalk() {
    const interrupted = this.bargeIn();
    this.send({ type: "input_audio_buffer.clear" });
    this.talking = true;
    return interrupted;
  }

  releaseTalk() {
    this.talking = false;
    this.send({ type: "input_audio_buffer.commit" });
    this.send({ type: "response.create" });
  }

  close() {
    if (this.socket) this.socket.close();
    this.audio.close();
  }
}
