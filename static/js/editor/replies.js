// In a redraft, the replies to the targets of the attempt it redrafts ("what I changed"): saved
// as the student types (after a pause), when a box loses focus and when they leave the page, and
// kept in this browser until the server has them, like the answer itself (saving.js). The page
// without JavaScript saves them with the editor's form instead.
//
// The replies are saved to their own endpoint (views/redraft.target_replies), all at once: there
// are a few, and each is short.
import { clock, csrfToken } from "./page.js";
import { repliesCopy } from "./storage.js";

const SAVE_DELAY_MS = 1500;
const MAX_RETRY_MS = 30000;
const LOGIN_RETRY_MS = 10000;

// section: the replies' part of the editor's form (templates/includes/target_reply_boxes.html).
export function createReplies({ form, section }) {
  const boxes = Array.from(section.querySelectorAll("textarea[data-reply-number]"));
  const statusEl = document.getElementById("replies-status");
  const alertEl = document.getElementById("replies-alert");
  const config = section.dataset;
  const copy = repliesCopy(config.user, config.response);
  const state = {
    saved: current(), // what the server holds, by target number
    inFlight: null,
    timer: null,
    retryDelay: 0,
    blocked: null, // "invalid", "login" or "submitted": saving waits for the student
  };

  function current() {
    const replies = {};
    boxes.forEach((box) => {
      replies[box.dataset.replyNumber] = box.value;
    });
    return replies;
  }

  function unsaved() {
    const replies = current();
    return boxes.some((box) => {
      const number = box.dataset.replyNumber;
      return replies[number] !== state.saved[number];
    });
  }

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "small mb-0" + (kind ? " text-" + kind : "");
  }

  function showAlert(text) {
    alertEl.textContent = text;
    alertEl.hidden = false;
  }

  function hideAlert() {
    alertEl.hidden = true;
    alertEl.textContent = "";
  }

  function keepCopy() {
    copy.write({ replies: current(), savedAt: Date.now() });
  }

  function scheduleSave(delay) {
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(save, delay);
  }

  // Resolves to whether the server holds the replies as they are now.
  function save(options) {
    options = options || {};
    window.clearTimeout(state.timer);
    if (state.blocked && !options.force) {
      return Promise.resolve(false);
    }
    if (state.inFlight) {
      return state.inFlight.then(() => save(options));
    }
    if (!unsaved()) {
      return Promise.resolve(true);
    }
    const sent = current();
    setStatus("Saving your replies…");
    state.inFlight = window
      .fetch(config.repliesUrl, {
        method: "POST",
        credentials: "same-origin",
        keepalive: Boolean(options.keepalive),
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(form),
        },
        body: JSON.stringify({ replies: sent }),
      })
      .then((response) =>
        response
          .json()
          .catch(() => ({}))
          .then((data) => handleAnswer(response.status, data, sent)),
      )
      .catch(() => {
        retryLater("You seem to be offline.");
        return false;
      })
      .finally(() => {
        state.inFlight = null;
      });
    return state.inFlight;
  }

  function handleAnswer(status, data, sent) {
    if (status === 200) {
      if (state.blocked) {
        hideAlert();
      }
      state.blocked = null;
      state.retryDelay = 0;
      state.saved = sent;
      setStatus("Replies saved " + clock(new Date(data.saved_at)), "success");
      if (unsaved()) {
        scheduleSave(SAVE_DELAY_MS);
        return false;
      }
      copy.clear();
      return true;
    }
    if (status === 401 || status === 403) {
      state.blocked = "login";
      setStatus("Replies not saved — you are logged out", "danger");
      showAlert(
        (data.message || "You are logged out.") +
          " Your replies are kept in this browser; log in again in a new tab and saving " +
          "carries on by itself.",
      );
      window.setTimeout(() => {
        if (state.blocked === "login") {
          save({ force: true });
        }
      }, LOGIN_RETRY_MS);
      return false;
    }
    if (status === 409 || status === 404) {
      state.blocked = "submitted";
      setStatus("Replies not saved", "danger");
      showAlert(
        (data.message || "This redraft can no longer be changed.") +
          " Your replies are kept in this browser.",
      );
      return false;
    }
    if (status === 400) {
      // Refused for what they are: sending them again would be refused again. Saving resumes
      // when the student changes a reply.
      state.blocked = "invalid";
      setStatus("Replies not saved", "danger");
      showAlert(
        "Your replies could not be saved: " +
          (data.message || "the server did not accept them.") +
          " They are kept in this browser.",
      );
      return false;
    }
    retryLater("The server did not answer properly.");
    return false;
  }

  function retryLater(reason) {
    state.retryDelay = Math.min(state.retryDelay ? state.retryDelay * 2 : 2000, MAX_RETRY_MS);
    setStatus(
      "Replies not saved — retrying (" + reason + " They are kept in this browser.)",
      "danger",
    );
    scheduleSave(state.retryDelay);
  }

  // Replies typed on an earlier visit that never reached the server: put them back and save.
  function restoreFromBrowser() {
    const local = copy.read();
    if (!local || typeof local.replies !== "object" || local.replies === null) {
      return;
    }
    let restored = false;
    boxes.forEach((box) => {
      const text = local.replies[box.dataset.replyNumber];
      if (typeof text === "string" && text !== box.value) {
        box.value = text;
        restored = true;
      }
    });
    if (restored) {
      setStatus("Restored your unsaved replies from this browser");
      save();
    } else {
      copy.clear();
    }
  }

  function listen() {
    boxes.forEach((box) => {
      box.addEventListener("input", () => {
        keepCopy();
        if (state.blocked === "invalid") {
          state.blocked = null;
          hideAlert();
        }
        if (!state.blocked) {
          setStatus("Unsaved changes to your replies");
          scheduleSave(SAVE_DELAY_MS);
        }
      });
      box.addEventListener("blur", () => {
        save();
      });
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") {
        save({ keepalive: true });
      }
    });
    window.addEventListener("pagehide", () => {
      save({ keepalive: true });
    });
    window.addEventListener("online", () => {
      if (!state.blocked) {
        save();
      }
    });
    window.addEventListener("beforeunload", (event) => {
      if (unsaved()) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  return {
    listen,
    restoreFromBrowser,
    // Before leaving for "Submit…": save now, whatever waited.
    flush: () => save({ force: true }),
    unsaved,
  };
}
