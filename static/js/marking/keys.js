// Marking by keyboard. When the cursor is not in a box one types in (the answer, which is
// read-only, does not count): 1–5 choose that level, m goes to the mark, s selects the sentence
// at the caret (pressed again, the next one too: answer.js), c comments on the selected passage,
// w and e go to the bank boxes of What went well and Even better if, r saves and releases, n/j
// and p/k go to the next and previous script of the list the teacher came from (with an unsaved
// mark, press it twice: unsaved.js), ? shows the keys (a dialog; Esc closes it). Esc in a box of
// the mark panel goes back to the answer. What a key did, or why it did nothing, shows in the
// status line at the top of the mark panel.

import { guardUnsavedWork } from "./unsaved.js";

const TYPED_INPUTS = new Set(["radio", "checkbox", "submit", "button", "reset", "image"]);

function typingIn(target, answer) {
  if (!(target instanceof Element) || answer.contains(target)) {
    return false;
  }
  if (target.isContentEditable) {
    return true;
  }
  if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") {
    return true;
  }
  return target.tagName === "INPUT" && !TYPED_INPUTS.has(target.type);
}

export function setUpKeys({ answer, comments }) {
  const form = document.getElementById("response_form");
  const dialog = document.getElementById("keys-help");
  const status = document.getElementById("marking-status");
  const keysButton = document.getElementById("keys-button");
  let pending = null;

  function put(text, warning) {
    status.textContent = text;
    status.classList.toggle("is-warning", warning);
    if (warning) {
      status.scrollIntoView({ block: "nearest" });
    }
  }

  // The panel's status line, at its top: what a key did, or why it did nothing (a warning,
  // brought into view). The line is a live region, so a screen reader reads it once.
  function say(text, { warning = false } = {}) {
    if (!status) {
      return;
    }
    window.clearTimeout(pending);
    if (status.textContent === text) {
      // The same words again (the same key pressed twice): emptied first, so they are read.
      status.textContent = "";
      pending = window.setTimeout(() => put(text, warning), 100);
    } else {
      put(text, warning);
    }
  }
  const warn = (text) => say(text, { warning: true });

  const unsaved = guardUnsavedWork({ form, say });

  function showKeys() {
    if (dialog && !dialog.open) {
      dialog.showModal();
    }
  }
  if (keysButton && dialog) {
    keysButton.hidden = false;
    keysButton.addEventListener("click", showKeys);
  }

  // To the next or previous script; with an unsaved mark, only when asked twice.
  function go(id, key) {
    const link = document.getElementById(id);
    if (link && unsaved.mayLeave(link.href, `press ${key} again`)) {
      window.location.assign(link.href);
    }
  }

  function chooseLevel(number) {
    const radio = form.querySelector(`input[name=level][value="${number}"]`);
    if (!radio) {
      return;
    }
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    // In view in the panel, so the teacher sees what the key ticked; the focus stays put.
    (radio.parentElement || radio).scrollIntoView({ block: "nearest" });
    const label = radio.labels[0] ? radio.labels[0].textContent.split(":")[0] : `Level ${number}`;
    say(`${label} chosen.`);
  }

  function selectSentence() {
    if (!answer.selectSentence) {
      warn("This response has been released: its comments no longer change.");
      return;
    }
    const passage = answer.selectSentence();
    if (!passage) {
      warn("No more sentences in the answer.");
      return;
    }
    const shown = Array.from(passage.quote);
    const quote = shown.length > 60 ? `${shown.slice(0, 60).join("")}…` : passage.quote;
    say(`Selected: “${quote}”`);
  }

  function focusBox(id) {
    const box = document.getElementById(id);
    if (box && !box.closest("[hidden]")) {
      box.focus();
    }
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    if (dialog && dialog.open) {
      return;
    }
    if (typingIn(event.target, answer.element)) {
      // Out of a box and back to the text, ready for the next key.
      if (event.key === "Escape" && event.target.closest("#mark-panel") && !event.target.closest("#comment-form")) {
        event.preventDefault();
        answer.element.focus();
        say("Back in the answer.");
      }
      return;
    }
    const key = event.key;
    let done = true;
    if (/^[1-5]$/.test(key)) {
      chooseLevel(key);
    } else if (key === "m") {
      const mark = form.querySelector("input[name=mark]");
      if (mark) {
        mark.focus();
        mark.select();
      }
    } else if (key === "s") {
      selectSentence();
    } else if (key === "c") {
      comments.commentOnSelection(warn);
    } else if (key === "w") {
      focusBox("went-well-bank");
    } else if (key === "e") {
      focusBox("even-better-bank");
    } else if (key === "r") {
      const release = document.getElementById("release-button");
      if (release) {
        form.requestSubmit(release);
      } else {
        warn("This response has already been released.");
      }
    } else if (key === "n" || key === "j") {
      go("next-script", key);
    } else if (key === "p" || key === "k") {
      go("previous-script", key);
    } else if (key === "?") {
      showKeys();
    } else {
      done = false;
    }
    if (done) {
      event.preventDefault();
    }
    if (key !== "n" && key !== "j" && key !== "p" && key !== "k") {
      unsaved.forget();
    }
  });
}
