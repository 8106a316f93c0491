// Waveform of the selected kick with the length cut: the kept part bright, the cut part dim.
const peaksCache = new WeakMap();

function peaks(channels, columns) {
  const cached = peaksCache.get(channels);
  if (cached?.columns === columns) return cached;
  const data = channels[0];
  const other = channels[1];
  const min = new Float32Array(columns);
  const max = new Float32Array(columns);
  const perColumn = data.length / columns;
  for (let x = 0; x < columns; x += 1) {
    let lo = 0;
    let hi = 0;
    const end = Math.min(data.length, Math.floor((x + 1) * perColumn));
    for (let i = Math.floor(x * perColumn); i < end; i += 1) {
      const v = other ? 0.5 * (data[i] + other[i]) : data[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[x] = lo;
    max[x] = hi;
  }
  const result = { columns, min, max };
  peaksCache.set(channels, result);
  return result;
}

export function drawWaveform(canvas, channels, lengthFraction) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext("2d");
  const style = getComputedStyle(canvas);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = style.getPropertyValue("--wave-grid").trim() || "#222";
  ctx.fillRect(0, Math.floor(height / 2), width, Math.max(1, ratio));
  if (!channels?.length || !channels[0].length) return;
  const { min, max } = peaks(channels, width);
  const cut = Math.round(width * lengthFraction);
  const mid = height / 2;
  const kept = style.getPropertyValue("--wave-kept").trim() || "#f60";
  const dropped = style.getPropertyValue("--wave-cut").trim() || "#444";
  for (let x = 0; x < width; x += 1) {
    ctx.fillStyle = x < cut ? kept : dropped;
    const top = mid - max[x] * mid * 0.95;
    const bottom = mid - min[x] * mid * 0.95;
    ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
  }
  ctx.fillStyle = style.getPropertyValue("--wave-marker").trim() || "#fff";
  ctx.fillRect(Math.min(width - ratio, cut), 0, Math.max(1, ratio), height);
}
