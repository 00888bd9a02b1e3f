// Marking by keyboard. When the cursor is not in a box one types in (the answer, which is
// read-only, does not count): 1–5 choose that level, m goes to the mark, c comments on the
// selected passage, w and e go to the bank boxes of What went well and Even better if, r saves
// and releases, n/j and p/k go to the next and previous script of the list the teacher came
// from, ? shows the keys (a dialog; Esc closes it). Esc in a box of the mark panel goes back to
// the answer.

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
  let changed = false;
  let leaving = null;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  // Only the mark's own fields count as unsaved work, not the comment form (saved on its own).
  for (const type of ["input", "change"]) {
    form.addEventListener(type, (event) => {
      if (event.target.name && !event.target.closest("#comment-form")) {
        changed = true;
      }
    });
  }

  function showKeys() {
    if (dialog && !dialog.open) {
      dialog.showModal();
    }
  }
  if (keysButton && dialog) {
    keysButton.hidden = false;
    keysButton.addEventListener("click", showKeys);
  }

  // To the next or previous script; with unsaved changes, only when asked twice.
  function go(id, words) {
    const link = document.getElementById(id);
    if (!link) {
      return;
    }
    if (changed && leaving !== id) {
      leaving = id;
      say(`This script has unsaved changes: press the key again to go to the ${words} script without saving them.`);
      return;
    }
    window.location.assign(link.href);
  }

  function chooseLevel(number) {
    const radio = form.querySelector(`input[name=level][value="${number}"]`);
    if (!radio) {
      return;
    }
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    const label = radio.labels[0] ? radio.labels[0].textContent.split(":")[0] : `Level ${number}`;
    say(`${label} chosen.`);
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
    } else if (key === "c") {
      comments.commentOnSelection();
    } else if (key === "w") {
      focusBox("went-well-bank");
    } else if (key === "e") {
      focusBox("even-better-bank");
    } else if (key === "r") {
      const release = document.getElementById("release-button");
      if (release) {
        form.requestSubmit(release);
      } else {
        say("This response has already been released.");
      }
    } else if (key === "n" || key === "j") {
      go("next-script", "next");
    } else if (key === "p" || key === "k") {
      go("previous-script", "previous");
    } else if (key === "?") {
      showKeys();
    } else {
      done = false;
    }
    if (done) {
      event.preventDefault();
    }
    if (key !== "n" && key !== "j" && key !== "p" && key !== "k") {
      leaving = null;
    }
  });
}
