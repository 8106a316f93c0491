// wav.js — RIFF/WAVE encoding of rendered audio (16-bit PCM with TPDF dither, or 32-bit float).

// -> Uint8Array with a complete WAV file. channels: Float32Array[] of equal length.
export function encodeWavBytes(channels, sampleRate, { float = false } = {}) {
  if (!channels.length || channels.some((c) => c.length !== channels[0].length)) {
    throw new Error("encodeWav needs at least one channel and channels of equal length.");
  }
  const frames = channels[0].length;
  const count = channels.length;
  const bytesPerSample = float ? 4 : 2;
  const dataBytes = frames * count * bytesPerSample;
  const buffer = new ArrayBuffer(44 + dataBytes);
  const view = new DataView(buffer);
  const text = (offset, s) => [...s].forEach((ch, i) => view.setUint8(offset + i, ch.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, float ? 3 : 1, true);
  view.setUint16(22, count, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * count * bytesPerSample, true);
  view.setUint16(32, count * bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  text(36, "data");
  view.setUint32(40, dataBytes, true);
  let offset = 44;
  // deterministic dither so the same render always encodes to the same bytes
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < count; c++) {
      const x = channels[c][i];
      const clean = Number.isFinite(x) ? Math.max(-1, Math.min(1, x)) : 0;
      if (float) {
        view.setFloat32(offset, clean, true);
        offset += 4;
      } else {
        const dithered = clean * 32767 + (rand() - rand());
        view.setInt16(offset, Math.max(-32768, Math.min(32767, Math.round(dithered))), true);
        offset += 2;
      }
    }
  }
  return new Uint8Array(buffer);
}

// -> Blob of type audio/wav.
export function encodeWav(channels, sampleRate, options = {}) {
  return new Blob([encodeWavBytes(channels, sampleRate, options)], { type: "audio/wav" });
}
