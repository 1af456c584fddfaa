// AudioWorklet: turns whatever the context runs at (44.1/48 kHz) into 16 kHz PCM16 frames of 100 ms.
// Resampling happens here rather than by asking for a 16 kHz AudioContext because Firefox refuses to
// connect a microphone to a context whose rate differs from the device's.
const TARGET = 16000;
const FRAME = 1600; // 100 ms at 16 kHz

class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / TARGET; // input samples per output sample
    this.phase = 0;
    this.prev = 0;
    // Two one-pole low-passes (cutoff ~6.5 kHz) keep energy above 8 kHz from folding back into speech.
    const a = Math.exp((-2 * Math.PI * 6500) / sampleRate);
    this.a = a;
    this.lp1 = 0;
    this.lp2 = 0;
    this.frame = new Int16Array(FRAME);
    this.n = 0;
    this.sumSq = 0;
    this.running = true;
    this.port.onmessage = (e) => {
      if (e.data === 'stop') this.running = false;
    };
  }

  process(inputs) {
    if (!this.running) return false;
    const ch = inputs[0] && inputs[0][0];
    // No input (a file that ended, a muted track): keep the stream continuous with silence.
    const len = ch ? ch.length : 128;
    const a = this.a;
    for (let i = 0; i < len; i++) {
      const x = ch ? ch[i] : 0;
      this.lp1 = (1 - a) * x + a * this.lp1;
      this.lp2 = (1 - a) * this.lp1 + a * this.lp2;
      const cur = this.lp2;
      // Emit every output instant that falls between the previous and the current input sample.
      while (this.phase < 1) {
        const y = this.prev + (cur - this.prev) * this.phase;
        this.push(y);
        this.phase += this.step;
      }
      this.phase -= 1;
      this.prev = cur;
    }
    return true;
  }

  push(y) {
    const v = Math.max(-1, Math.min(1, y));
    this.sumSq += v * v;
    this.frame[this.n++] = Math.round(v * 32767);
    if (this.n === FRAME) {
      const rms = Math.sqrt(this.sumSq / FRAME);
      const out = this.frame;
      this.port.postMessage({ pcm: out, rms }, [out.buffer]);
      this.frame = new Int16Array(FRAME);
      this.n = 0;
      this.sumSq = 0;
    }
  }
}

registerProcessor('sf-capture', CaptureProcessor);
