// Keyboard shortcuts from the sound contract: every control's down/up key, Space play/stop,
// Enter cue (held), [ ] the OTT/reverb macro, ? the shortcut list. Inactive while an overlay
// shows or a text field has focus.
import { stepValue } from "./contract.js";

const NON_TEXT_INPUT_TYPES = new Set([
  "button", "checkbox", "color", "file", "image", "radio", "range", "reset", "submit",
]);

export function isTextField(el) {
  if (!el || el === document.body) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA") return true;
  return el.tagName === "INPUT" && !NON_TEXT_INPUT_TYPES.has(el.type);
}

// Space and Enter keep their native meaning on a focused button or link (keyboard users need
// them); page.js drops focus from buttons clicked with the mouse so Space plays afterwards.
function activatesNatively(el) {
  return Boolean(el?.closest?.("button, a[href], summary, [role=button]"));
}

export function keyMap(contract) {
  const map = new Map();
  for (const c of contract.controls) {
    map.set(c.key_down, { control: c, direction: -1 });
    map.set(c.key_up, { control: c, direction: +1 });
  }
  return map;
}

// `actions`: playStop(), cueDown(), cueUp(), toggleHelp(), closeHelp(), helpOpen(), blocked().
export function installHotkeys({ contract, sound, actions, target = document }) {
  const keys = keyMap(contract);
  const transport = contract.transport_keys;
  let cueHeld = false;

  const releaseCue = () => {
    if (!cueHeld) return;
    cueHeld = false;
    actions.cueUp();
  };

  const macro = (direction) => {
    for (const field of ["kick_ott_amt", "master_ott_amt"]) {
      sound.set(field, sound.get(field) + direction * contract.macro.ott_step, "hotkey");
    }
    sound.set(
      "reverb_volume",
      sound.get("reverb_volume") - direction * contract.macro.reverb_step,
      "hotkey",
    );
  };

  target.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTextField(document.activeElement)) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (actions.helpOpen()) {
      if (key === "?" || key === "Escape") {
        event.preventDefault();
        actions.closeHelp();
      }
      return;
    }
    if (actions.blocked()) return;
    if (key === "?") {
      event.preventDefault();
      actions.toggleHelp();
      return;
    }
    const transportKey = key === transport.play_stop || key === transport.cue;
    if (transportKey && activatesNatively(document.activeElement)) return;
    if (key === transport.play_stop) {
      // Also keeps a focused button from being clicked by the same key.
      event.preventDefault();
      if (!event.repeat) actions.playStop();
      return;
    }
    if (key === transport.cue) {
      event.preventDefault();
      if (!event.repeat && !cueHeld) {
        cueHeld = true;
        actions.cueDown();
      }
      return;
    }
    if (key === transport.macro_down || key === transport.macro_up) {
      event.preventDefault();
      macro(key === transport.macro_up ? +1 : -1);
      return;
    }
    const binding = keys.get(key);
    if (!binding) return;
    event.preventDefault();
    const { control, direction } = binding;
    sound.set(control.field, stepValue(control, sound.get(control.field), direction), "hotkey");
  });

  target.addEventListener("keyup", (event) => {
    if (event.key === transport.cue) releaseCue();
  });
  window.addEventListener("blur", releaseCue);
}
