// Playback with a jitter buffer and a played-sample clock.
//
// Chunks arrive faster or slower than real time; playback starts once `prebuffer` samples
// are queued (or the answer is complete), and stops to refill after an underrun. `played`
// counts every sample written to the output: it is the clock barge-in truncates by.
const REPORT_EVERY = 1200; // samples (50 ms at 24 kHz)

class Pcm16Playback extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.prebuffer = options.processorOptions.prebufferSamples;
    this.queue = [];
    this.offset = 0;
    this.buffered = 0;
    this.playing = false;
    this.draining = false;
    this.played = 0;
    this.reported = 0;
    this.port.onmessage = ({ data }) => this.receive(data);
  }

  receive(message) {
    if (message.type === "audio") {
      const samples = new Int16Array(message.pcm);
      this.queue.push(samples);
      this.buffered += samples.length;
    } else if (message.type === "drain") {
      this.draining = true;
    } else if (message.type === "clear") {
      this.queue = [];
      this.offset = 0;
      this.buffered = 0;
      this.playing = false;
      this.draining = false;
      this.port.postMessage({ type: "cleared", played: this.played });
    }
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    if (!this.playing && this.buffered > 0 &&
        (this.buffered >= this.prebuffer || this.draining)) {
      this.playing = true;
    }
    let written = 0;
    while (this.playing && written < out.length && this.queue.length > 0) {
      const head = this.queue[0];
      const count = Math.min(out.length - written, head.length - this.offset);
      for (let k = 0; k < count; k++) out[written + k] = head[this.offset + k] / 32768;
      written += count;
      this.offset += count;
      this.buffered -= count;
      if (this.offset === head.length) {
        this.queue.shift();
        this.offset = 0;
      }
    }
    out.fill(0, written);
    this.played += written;
    if (this.queue.length === 0) {
      this.playing = false;
      this.draining = false;
    }
    if (this.played - this.reported >= REPORT_EVERY || (written === 0 && this.played !== this.reported)) {
      this.reported = this.played;
      this.port.postMessage({ type: "played", played: this.played });
    }
    return true;
  }
}

registerProcessor("pcm16-playback", Pcm16Playback);
