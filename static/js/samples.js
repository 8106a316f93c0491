// The samples the engine holds, by kind and name, with their audio kept for the waveform view
// and pitch detection. AI kicks arrive as URLs and are fetched, decoded and loaded once.
export class SampleLibrary {
  constructor(engine, audioContext) {
    this.engine = engine;
    this.audioContext = audioContext;
    this.sounds = { kick: new Map(), noise: new Map(), ir: new Map() };
    this.pending = new Map();
  }

  has(kind, name) {
    return this.sounds[kind].has(name);
  }

  get(kind, name) {
    return this.sounds[kind].get(name) ?? null;
  }

  async load(kind, name, channels, sampleRate) {
    await this.engine.loadSample(kind, name, channels, sampleRate);
    this.sounds[kind].set(name, { channels, sampleRate });
  }

  // Fetches and decodes a WAV once, however many callers ask for it at the same time.
  loadUrl(kind, name, url) {
    if (this.has(kind, name)) return Promise.resolve();
    const key = `${kind}\u0000${name}`;
    if (!this.pending.has(key)) {
      const job = (async () => {
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) throw new Error(`Could not fetch ${name} (HTTP ${response.status}).`);
        const audio = await this.audioContext.decodeAudioData(await response.arrayBuffer());
        const channels = Array.from({ length: audio.numberOfChannels }, (_, i) =>
          audio.getChannelData(i).slice(),
        );
        await this.load(kind, name, channels, audio.sampleRate);
      })().finally(() => this.pending.delete(key));
      this.pending.set(key, job);
    }
    return this.pending.get(key);
  }

  async unload(kind, name) {
    if (!this.has(kind, name)) return;
    await this.engine.unloadSample(kind, name);
    this.sounds[kind].delete(name);
  }
}
