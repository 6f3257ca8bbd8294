// The page's audio: a 24 kHz context, microphone capture and jitter-buffered playback.

export const SAMPLE_RATE = 24000;
const PREBUFFER_SAMPLES = SAMPLE_RATE / 10;
const VOICED_LEVEL = 0.01; // RMS of a 40 ms chunk above which it counts as sound

// Chrome's voice processing changes what the model hears: the page sends the raw microphone.
export const MICROPHONE = {
  audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
};

export class AudioEngine {
  constructor() {
    this.context = null;
    this.playback = null;
    this.enqueued = 0; // samples handed to playback so far
    this.played = 0; // samples playback has written to the output so far
    this.onLevel = () => {};
    this.onChunk = () => {};
    this.onPlayed = () => {};
    this.cleared = null;
  }

  async start({ capture }) {
    this.context = new AudioContext({ sampleRate: SAMPLE_RATE });
    await this.context.audioWorklet.addModule("capture-worklet.js");
    await this.context.audioWorklet.addModule("playback-worklet.js");
    this.playback = new AudioWorkletNode(this.context, "pcm16-playback", {
      numberOfInputs: 0,
      outputChannelCount: [1],
      processorOptions: { prebufferSamples: PREBUFFER_SAMPLES },
    });
    this.playback.port.onmessage = ({ data }) => {
      this.played = data.played;
      this.onPlayed(data.played);
      if (data.type === "cleared" && this.cleared) {
        this.cleared(data.played);
        this.cleared = null;
      }
    };
    this.playback.connect(this.context.destination);
    if (capture) await this.captureMicrophone();
    await this.context.resume();
  }

  async captureMicrophone() {
    const stream = await navigator.mediaDevices.getUserMedia(MICROPHONE);
    const source = this.context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(this.context, "pcm16-capture", { numberOfOutputs: 0 });
    node.port.onmessage = ({ data }) => {
      this.onLevel(data.level);
      this.onChunk(new Int16Array(data.pcm));
    };
    source.connect(node);
    return stream;
  }

  // A remote WebRTC stream: played through this context, and counted: `onPlayed` gets the
  // length of each 40 ms chunk and whether it carried sound (the service paces the stream).
  async playStream(stream, onPlayed) {
    // Chrome delivers a remote stream to Web Audio only while a media element holds it.
    const element = new Audio();
    element.muted = true;
    element.srcObject = stream;
    await element.play();
    const source = this.context.createMediaStreamSource(stream);
    source.connect(this.context.destination);
    const meter = new AudioWorkletNode(this.context, "pcm16-capture", { numberOfOutputs: 0 });
    meter.port.onmessage = ({ data }) => {
      onPlayed(data.pcm.byteLength / 2, data.level > VOICED_LEVEL);
    };
    source.connect(meter);
  }

  enqueue(samples) {
    this.enqueued += samples.length;
    this.playback.port.postMessage({ type: "audio", pcm: samples.buffer }, [samples.buffer]);
  }

  drain() {
    this.playback.port.postMessage({ type: "drain" });
  }

  // Drop everything not yet played; resolves with the exact played-sample count.
  clear() {
    return new Promise((resolve) => {
      this.cleared = (played) => {
        this.played = played;
        this.enqueued = played;
        resolve(played);
      };
      this.playback.port.postMessage({ type: "clear" });
    });
  }

  close() {
    if (this.context) this.context.close();
  }
}

export function toBase64(samples) {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Int16Array(bytes.buffer);
}
