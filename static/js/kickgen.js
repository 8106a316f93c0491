// AI Kick Gen mode: switching modes without a reload, following the kick-gen bar's select into
// the engine, and reacting to the fragments the server pushes (htmx ws extension, OOB by id).
// The page owns the sound and the engine; this module talks to them through `window.kwr`.

const TITLE_DAW = "KICK WITH REVERB";
const TITLE_MODE = "AI KICK GEN MODE";

// A page whose socket is down (a Redis outage, a dropped connection) follows its job over HTTP;
// with the socket up it still asks after a long silence, in case an event was lost.
const POLL_SOCKET_DOWN_MS = 2000;
const POLL_SOCKET_UP_MS = 15000;
const POLL_TICK_MS = 500;
// kickgen/consumer.py closes with this when its channel layer (Redis) fails; reconnect after a
// random delay below 1 s, 2 s, 4 s … 64 s, so a fleet of pages does not storm Redis's return.
const CLOSE_TRY_AGAIN_LATER = 4503;
const RECONNECT_BASE_MS = 1000;
const RECONNECT_MAX_DOUBLINGS = 6;

const byId = (id) => document.getElementById(id);
const finishedJobs = new Set();
let mode = "daw";
let socketOpen = false;
let lastNews = 0;
let reconnects = 0;

function kwr() {
  if (!window.kwr) throw new Error("kickgen.js needs the DAW page's window.kwr (static/js/page.js).");
  return window.kwr;
}

function selectedOption() {
  const select = byId("kickgen-select");
  const option = select?.selectedOptions[0];
  return option && option.value ? option : null;
}

function setMode(next) {
  mode = next;
  document.body.dataset.mode = next;
  byId("daw")?.setAttribute("data-mode", next);
  applyVisibility();
}

// Swapped-in elements (the page's kick select, a refreshed presets bar) arrive visible: this
// runs after every swap so each mode keeps its own controls.
function applyVisibility() {
  const inMode = mode === "kickgen";
  const title = byId("page-title");
  if (title) title.textContent = inMode ? TITLE_MODE : TITLE_DAW;
  for (const [id, shownInMode] of [
    ["presets-bar", false],
    ["kickgen-entry", false],
    ["kick-select", false],
    ["kickgen-bar", true],
    ["kickgen-back", true],
  ]) {
    const element = byId(id);
    if (element) element.hidden = inMode !== shownInMode;
  }
}

// Loads the bar's selected kick into the engine and makes it the sound's kick.
async function useSelectedKick({ play = false } = {}) {
  const option = selectedOption();
  if (!option) return;
  const page = kwr();
  await page.loadKick(option.dataset.name, option.dataset.url);
  page.selectKick(option.dataset.name);
  if (play && !page.playing) page.play();
}

function enter() {
  setMode("kickgen");
  useSelectedKick().catch((error) => console.error(error));
}

function leave() {
  // The kick in the sampler stays; the page's kick select follows the sound.
  setMode("daw");
}

function step(offset) {
  const select = byId("kickgen-select");
  const count = select?.options.length ?? 0;
  if (!count || !selectedOption()) return;
  select.selectedIndex = (select.selectedIndex + offset + count) % count;
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

// After the server swapped the bar's select: a new kick (play it), a deletion (follow the next
// kick, or the first stock kick when none is left), or a resync (nothing to do).
async function selectSwapped(select) {
  const reason = select.dataset.reason;
  if (mode !== "kickgen" || reason === "state") return;
  if (reason === "generated") {
    await useSelectedKick({ play: true });
    return;
  }
  const page = kwr();
  const deleted = page.sound.get("kick_sample");
  const names = new Set([...select.options].map((option) => option.dataset.name));
  if (selectedOption()) await useSelectedKick();
  else page.selectKick(page.contract.init.kick_sample);
  if (deleted && !names.has(deleted) && deleted.startsWith("AI: ")) await page.unloadKick(deleted);
}

// More like this and delete act on the selected kick: with none there, they say why they wait.
function updateKickActions() {
  const hasKick = selectedOption() !== null;
  for (const button of document.querySelectorAll(".kickgen-bar__vary, .kickgen-bar__delete")) {
    button.disabled = !hasKick;
    if (hasKick) delete button.dataset.reason;
    else button.dataset.reason = "Generate a kick first";
    button.title = hasKick ? button.dataset.title : button.dataset.reason;
  }
}

// A new id for the next click once this one has its answer; a repeat of the same click (a
// double submit, a retry after a dropped connection) keeps the id, so the server makes one job.
function renewClickId() {
  const input = document.querySelector("[data-kickgen-click-id]");
  if (input) input.value = randomUuid();
}

// crypto.randomUUID exists only in secure contexts; a page on a LAN address over http has
// getRandomValues alone.
function randomUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function rememberFinishedJob(html) {
  const match = /id="kickgen-status"[^>]*data-state="(idle|failed)"[^>]*data-job="([^"]+)"/.exec(html);
  if (match) finishedJobs.add(match[2]);
}

// The status line of a job still queued or running carries the URL of its state.
function activeJobUrl() {
  return byId("kickgen-status")?.dataset.poll ?? null;
}

function askForJob(url) {
  lastNews = performance.now();
  window.htmx.ajax("GET", url, { target: "#kickgen-status", swap: "outerHTML" });
}

function pollIfQuiet() {
  const url = activeJobUrl();
  const patience = socketOpen ? POLL_SOCKET_UP_MS : POLL_SOCKET_DOWN_MS;
  if (url && performance.now() - lastNews >= patience) askForJob(url);
}

function wire() {
  for (const button of document.querySelectorAll(".kickgen-bar__vary, .kickgen-bar__delete")) {
    button.dataset.title = button.title;
  }
  updateKickActions();

  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (!event.detail.elt.closest?.("#kickgen-form")) return;
    if (event.detail.xhr.status !== 0) renewClickId();
    // After htmx re-enables what it disabled for the request.
    setTimeout(updateKickActions, 0);
  });

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-kickgen-enter], [data-kickgen-leave], [data-kickgen-step], [data-kickgen-cancel-delete]");
    if (!target) return;
    if (target.matches("[data-kickgen-enter]")) enter();
    else if (target.matches("[data-kickgen-leave]")) leave();
    else if (target.matches("[data-kickgen-step]")) step(Number(target.dataset.kickgenStep));
    else {
      const dialog = byId("kickgen-dialog");
      dialog.hidden = true;
      dialog.replaceChildren();
    }
  });

  document.addEventListener("change", (event) => {
    if (event.target.id === "kickgen-select") useSelectedKick().catch((error) => console.error(error));
    const toggle = event.target.closest("[data-kickgen-enable]");
    if (toggle) {
      const input = toggle.form.elements.namedItem(toggle.dataset.kickgenEnable);
      input.disabled = !toggle.checked;
    }
  });

  document.body.addEventListener("htmx:wsBeforeMessage", (event) => {
    lastNews = performance.now();
    reconnects = 0; // a message, not a mere open, shows the server side works again
    rememberFinishedJob(event.detail.message);
  });
  document.body.addEventListener("htmx:wsOpen", () => {
    socketOpen = true;
    // The state pushed on connect says idle once the job is over, not which kick it made:
    // ask the job itself first.
    const url = activeJobUrl();
    if (url) askForJob(url);
  });
  document.body.addEventListener("htmx:wsClose", (event) => {
    socketOpen = false;
    if (event.detail.event.code !== CLOSE_TRY_AGAIN_LATER) return;
    const delay = Math.random() * RECONNECT_BASE_MS * 2 ** Math.min(reconnects, RECONNECT_MAX_DOUBLINGS);
    reconnects += 1;
    setTimeout(() => event.detail.socketWrapper.reconnect(), delay);
  });
  setInterval(pollIfQuiet, POLL_TICK_MS);

  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const { xhr, requestConfig } = event.detail;
    if (!requestConfig?.path?.startsWith("/kickgen/")) return;
    const job = xhr.getResponseHeader("X-Kickgen-Job");
    // The finished job's fragments arrived over the socket before this answer: keep them.
    if (job && finishedJobs.has(job)) event.detail.shouldSwap = false;
  });

  document.body.addEventListener("htmx:load", (event) => {
    const element = event.detail.elt;
    applyVisibility();
    if (element.id === "kickgen-select") {
      updateKickActions();
      selectSwapped(element).catch((error) => console.error(error));
    }
  });
}

wire();
window.kickgen = { enter, leave, get mode() { return mode; } };
