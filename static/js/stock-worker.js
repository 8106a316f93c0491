// Renders the stock sounds off the main thread, so the engine's start-up (wasm compile,
// worklet) and the page stay responsive meanwhile; the audio comes back transferred, not copied.
import { renderStockSounds } from "../engine/stock.js";

self.addEventListener("message", async ({ data }) => {
  try {
    const stock = await renderStockSounds(data.sampleRate, data.recipes);
    const buffers = Object.values(stock).flatMap((list) =>
      list.flatMap((sound) => sound.channels.map((channel) => channel.buffer)),
    );
    self.postMessage({ stock }, buffers);
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
});
