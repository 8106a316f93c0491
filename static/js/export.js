// "Export WAV": the engine renders the current sound offline (one hit with its tail, or four
// bars at the current BPM) and the browser downloads it.
export async function renderWav(engine, encodeWav, mode) {
  const options = mode === "loop" ? { mode: "loop", bars: 4 } : { mode: "hit" };
  const { channels, sampleRate } = await engine.renderOffline(options);
  return encodeWav(channels, sampleRate);
}

export function exportFileName(mode, sound) {
  const kick = String(sound.kick_sample).replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const suffix = mode === "loop" ? `loop-4bars-${Math.round(sound.bpm)}bpm` : "hit";
  return `kick-with-reverb-${kick.toLowerCase() || "kick"}-${suffix}.wav`;
}

export function download(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
