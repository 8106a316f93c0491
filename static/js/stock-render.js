// Stock sounds from their recipes (sent in the sound contract), rendered by a few module
// workers in parallel, each given a share of similar cost; on the main thread if workers fail.
const STOCK_WORKER_URL = new URL("./stock-worker.js", import.meta.url).href;
const STOCK_URL = new URL("../engine/stock.js", import.meta.url).href;
const STOCK_GROUPS = ["kicks", "noises", "irs"];

function renderInWorker(sampleRate, recipes) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(STOCK_WORKER_URL, { type: "module" });
    worker.addEventListener("message", ({ data }) => {
      worker.terminate();
      if (data.error) reject(new Error(data.error));
      else resolve(data.stock);
    });
    worker.addEventListener("error", (event) => {
      worker.terminate();
      reject(new Error(event.message || "The stock sound worker failed."));
    });
    worker.postMessage({ sampleRate, recipes });
  });
}

// Longest-first onto the least loaded share; IRs are stereo, so they weigh double.
export function shareOut(recipes, count) {
  const shares = Array.from({ length: count }, () => ({
    cost: 0,
    table: { kicks: [], noises: [], irs: [] },
  }));
  const jobs = STOCK_GROUPS.flatMap((group) =>
    recipes[group].map((recipe) => ({
      group,
      recipe,
      cost: (recipe.length_s ?? 1) * (group === "irs" ? 2 : 1),
    })),
  );
  for (const job of jobs.sort((a, b) => b.cost - a.cost)) {
    const share = shares.reduce((least, s) => (s.cost < least.cost ? s : least));
    share.cost += job.cost;
    share.table[job.group].push(job.recipe);
  }
  return shares.filter((s) => s.cost > 0).map((s) => s.table);
}

// -> {kicks: [{name, channels, sampleRate}], noises, irs} in the recipes' order.
export async function renderStock(recipes, sampleRate) {
  const workers = Math.min(4, Math.max(1, (navigator.hardwareConcurrency || 2) - 1));
  try {
    const parts = await Promise.all(
      shareOut(recipes, workers).map((share) => renderInWorker(sampleRate, share)),
    );
    const rendered = new Map(
      parts.flatMap((part) => STOCK_GROUPS.flatMap((g) => part[g].map((s) => [`${g}/${s.name}`, s]))),
    );
    return Object.fromEntries(
      STOCK_GROUPS.map((g) => [g, recipes[g].map((recipe) => rendered.get(`${g}/${recipe.name}`))]),
    );
  } catch (error) {
    console.warn("Rendering stock sounds on the main thread:", error);
    const { renderStockSounds } = await import(STOCK_URL);
    return renderStockSounds(sampleRate, recipes);
  }
}
