// "Which copy?": a panel beside the editor showing a second text, with a choice between them.
// It is offered when this browser holds a newer copy than the server's draft, when the server
// refuses a save because another tab or device changed the draft, and when the page arrives
// with the server's own conflict message (the editor without JavaScript).
import { countWords } from "../wordcount.js";
import { clock, showAlert, updateWordCount } from "./page.js";

// form: the editor's form; saver: its autosave (saving.js); copy: the browser copy (storage.js).
export function createRecovery({ form, saver, copy }) {
  const textarea = form.querySelector("textarea[name=body]");
  const config = form.dataset;
  const state = saver.state;
  const panel = {
    section: document.getElementById("recovery"),
    heading: document.getElementById("recovery-heading"),
    text: document.getElementById("recovery-text"),
    label: document.getElementById("recovery-label"),
    copy: document.getElementById("recovery-copy"),
    use: document.getElementById("recovery-use"),
    keep: document.getElementById("recovery-keep"),
  };

  function offerChoice(options) {
    panel.heading.textContent = options.heading;
    panel.text.textContent = options.text;
    panel.label.textContent = options.label;
    panel.copy.value = options.otherBody;
    panel.use.textContent = options.useLabel;
    panel.keep.textContent = options.keepLabel;
    panel.use.onclick = () => {
      panel.section.hidden = true;
      options.onUse();
    };
    panel.keep.onclick = () => {
      panel.section.hidden = true;
      options.onKeep();
    };
    panel.section.hidden = false;
    panel.heading.setAttribute("tabindex", "-1");
    panel.heading.focus();
  }

  // Bring the student back to a choice still waiting for them.
  function focus() {
    if (!panel.section.hidden) {
      panel.heading.focus();
    }
  }

  // The server refused a save: another tab or device saved a different version.
  function chooseAfterStale(server) {
    offerChoice({
      heading: "This draft was changed somewhere else",
      text:
        "Another tab or device saved a different version at " +
        clock(new Date(server.saved_at)) +
        " (" +
        server.word_count +
        " words). Your text in this tab is still in the editor. Choose which to keep; the other stays in this box until you leave the page.",
      label: "The other version",
      otherBody: server.body,
      useLabel: "Keep my text from this tab",
      keepLabel: "Use the other version",
      onUse: () => {
        state.blocked = null;
        state.attempt = server.attempt;
        state.version = server.version;
        state.savedBody = server.body;
        saver.save();
      },
      onKeep: () => {
        state.blocked = null;
        textarea.value = server.body;
        updateWordCount(form);
        saver.acknowledge(server, server.body);
      },
    });
  }

  // Without JavaScript the server shows the conflict itself; with it, offer the same choice.
  // Returns whether there was one.
  function takeOverServerConflict() {
    const conflictPanel = document.getElementById("server-conflict");
    if (!conflictPanel) {
      return false;
    }
    const other = document.getElementById("other-version").value;
    conflictPanel.hidden = true;
    state.blocked = "stale";
    saver.setStatus("Not saved — changed in another tab", "danger");
    offerChoice({
      heading: "This draft was changed somewhere else",
      text: conflictPanel.querySelector("p").textContent,
      label: "The other version",
      otherBody: other,
      useLabel: "Keep my text from this page",
      keepLabel: "Use the other version",
      onUse: () => {
        state.blocked = null;
        saver.save();
      },
      onKeep: () => {
        state.blocked = null;
        textarea.value = other;
        state.savedBody = other;
        updateWordCount(form);
        saver.keepCopy();
        saver.setStatus("Using the other version");
      },
    });
    return true;
  }

  // Text from an earlier visit, kept in this browser.
  function restoreFromBrowser() {
    const local = copy.read();
    if (!local || typeof local.body !== "string" || local.body === textarea.value) {
      return;
    }
    const savedAt = config.savedAt ? Date.parse(config.savedAt) : 0;
    if (local.attempt === state.attempt && local.baseVersion >= state.version) {
      // Typed on top of the version this page holds, or of a newer one (the page was sent
      // before the server had finished saving this browser's last text, as on a reload
      // straight after typing): the browser copy is the newer text. Put it back; the server
      // still refuses it if another tab changed the draft since.
      textarea.value = local.body;
      updateWordCount(form);
      if (local.baseVersion === state.version) {
        saver.setStatus("Restored unsaved text from this browser");
        showAlert(
          "Your last changes (" +
            clock(new Date(local.savedAt)) +
            ") had not reached the server. They are back in the editor and being saved now.",
        );
      } else {
        saver.setStatus("Restored your latest text from this browser");
      }
      saver.save();
      return;
    }
    if (local.attempt === state.attempt && local.savedAt > savedAt) {
      offerChoice({
        heading: "This browser has a newer copy of your answer",
        text:
          "A copy kept in this browser at " +
          clock(new Date(local.savedAt)) +
          " (" +
          countWords(local.body) +
          " words) differs from your saved draft. Which do you want to keep?",
        label: "The copy in this browser",
        otherBody: local.body,
        useLabel: "Use the copy from this browser",
        keepLabel: "Keep the saved draft",
        onUse: () => {
          textarea.value = local.body;
          updateWordCount(form);
          saver.save();
        },
        onKeep: () => {
          saver.keepCopy();
        },
      });
    }
  }

  return { focus, chooseAfterStale, takeOverServerConflict, restoreFromBrowser };
}
