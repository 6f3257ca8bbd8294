// Microphone capture: the context runs at 24 kHz, so input samples are already at the
// Realtime API's rate; this converts them to PCM16 and posts 40 ms chunks with their level.
const CHUNK_SAMPLES = 960;

class Pcm16Capture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.chunk = new Int16Array(CHUNK_SAMPLES);
    this.filled = 0;
    this.sumOfSquares = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      const sample = Math.max(-1, Math.min(1, channel[i]));
      this.chunk[this.filled++] = sample < 0 ? sample * 0x8000 : sample * 0x7fff;
      this.sumOfSquares += sample * sample;
      if (this.filled === CHUNK_SAMPLES) {
        const level = Math.sqrt(this.sumOfSquares / CHUNK_SAMPLES);
        this.port.postMessage({ pcm: this.chunk.buffer, level }, [this.chunk.buffer]);
        this.chunk = new Int16Array(CHUNK_SAMPLES);
        this.filled = 0;
        this.sumOfSquares = 0;
      }
    }
    return true;
  }
}

registerProcessor("pcm16-capture", Pcm16Capture);
