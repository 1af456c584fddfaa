// Audio sources for the stream: the microphone (with the browser's echo cancellation, so the page's
// own replies are not sent back) or a local audio file played in real time through the same path.
// Both end in the capture worklet, which posts 16 kHz PCM16 frames.
export class AudioInput {
  constructor(ctx, onFrame) {
    this.ctx = ctx;
    this.onFrame = onFrame;
    this.node = null;
    this.source = null;
    this.stream = null;
  }

  async ensureWorklet() {
    if (this.node) return this.node;
    await this.ctx.audioWorklet.addModule('/capture-worklet.js');
    // Mono in (stereo files are downmixed by the node), nothing out.
    this.node = new AudioWorkletNode(this.ctx, 'sf-capture', {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
    });
    this.node.port.onmessage = (e) => this.onFrame(e.data.pcm, e.data.rms);
    return this.node;
  }

  async startMic() {
    const node = await this.ensureWorklet();
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
    });
    this.source = this.ctx.createMediaStreamSource(this.stream);
    this.source.connect(node);
  }

  /** Plays the file into the stream (and the speakers, quietly, so you hear what is being sent). */
  async startFile(file, onEnded) {
    const node = await this.ensureWorklet();
    const audio = await this.ctx.decodeAudioData(await file.arrayBuffer());
    const src = this.ctx.createBufferSource();
    src.buffer = audio;
    src.connect(node);
    const monitor = this.ctx.createGain();
    monitor.gain.value = 0.3;
    src.connect(monitor).connect(this.ctx.destination);
    src.onended = () => onEnded?.();
    src.start();
    this.source = src;
    return audio.duration;
  }

  stop() {
    try {
      this.source?.disconnect();
      if (this.source?.stop) this.source.stop();
    } catch {
      /* already stopped */
    }
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.node?.port.postMessage('stop');
    this.node?.disconnect();
    this.node = null;
    this.source = null;
    this.stream = null;
  }
}
