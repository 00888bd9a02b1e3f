// Autosave: the draft is saved as the student types (after a pause), when the editor loses focus
// and when the student leaves the page, and never thrown away — not on a dropped connection, an
// expired session or a second tab.
//
// The server is the record. Every save names the attempt and version it was based on; the
// server refuses a save from a stale copy (409), and the student is then shown both texts (the
// onStale hook, see recovery.js). Until a save is acknowledged, the text lives in the browser
// copy (storage.js) and is offered back on the next visit.
import { clock, csrfToken as readCsrfToken, escapeHtml, hideAlert, showAlert } from "./page.js";

const SAVE_DELAY_MS = 2000;
const MAX_RETRY_MS = 30000;
const LOGIN_RETRY_MS = 10000;

// form: the editor's form; copy: the browser copy (storage.js draftCopy); onStale(server): the
// server refused a stale save and sent its own text; onBlockedSubmit(): the student pressed a
// button while a choice waits for them; saveAlongside(): whatever else the form holds (a
// redraft's replies, replies.js) saved with the text before leaving for "Submit…", resolving
// to whether it was.
export function createSaver({ form, copy, onStale, onBlockedSubmit, saveAlongside }) {
  const textarea = form.querySelector("textarea[name=body]");
  const attemptInput = form.querySelector("input[name=attempt]");
  const versionInput = form.querySelector("input[name=version]");
  const statusEl = document.getElementById("save-status");
  const config = form.dataset;

  const state = {
    attempt: parseInt(attemptInput.value, 10),
    version: parseInt(versionInput.value, 10),
    // The text the server holds (as the page was sent); unknown when the page opened with text
    // the server has not saved.
    savedBody: config.unsaved ? null : textarea.defaultValue,
    inFlight: null,
    timer: null,
    retryDelay: 0,
    blocked: null, // "stale", "submitted", "login" or "invalid": autosave waits for the student
    submitting: false,
  };

  // The "Saved 14:32" indicator beside the word count.
  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = kind ? "text-" + kind : "";
  }

  // Keep the editor's text in this browser, on top of the version the server last acknowledged.
  function keepCopy() {
    copy.write({
      body: textarea.value,
      attempt: state.attempt,
      baseVersion: state.version,
      savedAt: Date.now(),
    });
  }

  function csrfToken() {
    return readCsrfToken(form);
  }

  function scheduleSave(delay) {
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(save, delay);
  }

  function acknowledge(data, body) {
    state.attempt = data.attempt;
    state.version = data.version;
    state.savedBody = body;
    attemptInput.value = data.attempt;
    versionInput.value = data.version;
    state.retryDelay = 0;
    // The browser copy now sits on top of the acknowledged version.
    keepCopy();
    setStatus("Saved " + clock(new Date(data.saved_at)), "success");
  }

  function save(options) {
    options = options || {};
    window.clearTimeout(state.timer);
    if (state.blocked && !options.force) {
      return Promise.resolve(false);
    }
    if (state.inFlight) {
      // One save at a time; the next starts when this one is answered.
      return state.inFlight.then(() => save(options));
    }
    const body = textarea.value;
    if (body === state.savedBody && (state.version > 0 || body === "")) {
      return Promise.resolve(true);
    }
    setStatus("Saving…");
    state.inFlight = window
      .fetch(config.autosaveUrl, {
        method: "POST",
        credentials: "same-origin",
        keepalive: Boolean(options.keepalive) && body.length < 60000,
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify({ body: body, attempt: state.attempt, version: state.version }),
      })
      .then((response) =>
        response
          .json()
          .catch(() => ({}))
          .then((data) => handleAnswer(response.status, data, body)),
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

  function handleAnswer(status, data, body) {
    if (status === 200) {
      if (state.blocked === "login") {
        hideAlert();
      }
      state.blocked = null;
      acknowledge(data, body);
      if (textarea.value !== state.savedBody) {
        scheduleSave(SAVE_DELAY_MS);
      }
      return true;
    }
    if (status === 401 || status === 403) {
      state.blocked = "login";
      setStatus("Not saved — you are logged out", "danger");
      showAlert(
        escapeHtml(data.message || "You are logged out. Your text is kept in this browser.") +
          ' <a href="' +
          escapeHtml(config.loginUrl) +
          '" target="_blank" rel="noopener">Log in again in a new tab</a>; saving carries on by itself once you have.',
      );
      window.setTimeout(() => {
        if (state.blocked === "login") {
          save({ force: true });
        }
      }, LOGIN_RETRY_MS);
      return false;
    }
    if (status === 409 && data.error === "stale") {
      state.blocked = "stale";
      setStatus("Not saved — changed in another tab", "danger");
      onStale(data.server);
      return false;
    }
    if (status === 409 && data.error === "submitted") {
      state.blocked = "submitted";
      setStatus("Not saved — this attempt was submitted", "danger");
      showAlert(
        escapeHtml(data.message) +
          ' <a href="' +
          escapeHtml(data.response_url) +
          '">See the submitted attempt</a>. ' +
          '<button type="button" class="btn btn-sm btn-primary" id="start-with-text">Start a new attempt with this text</button>',
      );
      document.getElementById("start-with-text").addEventListener("click", startNewAttemptWithText);
      return false;
    }
    if (status === 400) {
      // Refused for what the text is: sending it again would be refused again. Saving resumes
      // when the student changes the text.
      state.blocked = "invalid";
      setStatus("Not saved", "danger");
      showAlert(
        "This text could not be saved: " +
          escapeHtml(data.message || "the server did not accept it.") +
          " It is kept in this browser.",
      );
      return false;
    }
    retryLater("The server did not answer properly.");
    return false;
  }

  function retryLater(reason) {
    state.retryDelay = Math.min(state.retryDelay ? state.retryDelay * 2 : 2000, MAX_RETRY_MS);
    setStatus("Not saved — retrying (" + reason + " Your text is kept in this browser.)", "danger");
    scheduleSave(state.retryDelay);
  }

  function startNewAttemptWithText() {
    const post = document.createElement("form");
    post.method = "post";
    post.action = config.newAttemptUrl;
    [
      ["csrfmiddlewaretoken", csrfToken()],
      ["body", textarea.value],
    ].forEach(([name, value]) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      post.appendChild(input);
    });
    document.body.appendChild(post);
    state.submitting = true;
    post.submit();
  }

  // Text typed before this script arrived, or sent back by the server unsaved: keep it in the
  // browser and send it.
  function catchUp() {
    if (textarea.value !== state.savedBody) {
      keepCopy();
      save();
    }
  }

  // When to save: after a pause in typing, on leaving the editor or the page, on coming back
  // online, and when the student presses "Save draft" or "Submit…".
  function listen() {
    textarea.addEventListener("input", () => {
      keepCopy();
      if (state.blocked === "invalid") {
        state.blocked = null;
      }
      if (!state.blocked) {
        setStatus("Unsaved changes");
        scheduleSave(SAVE_DELAY_MS);
      }
    });
    textarea.addEventListener("blur", () => {
      save();
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
      if (!state.submitting && textarea.value !== state.savedBody) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    form.addEventListener("submit", (event) => {
      const action = event.submitter ? event.submitter.value : "save";
      event.preventDefault();
      if (state.blocked === "stale" || state.blocked === "submitted") {
        onBlockedSubmit();
        return;
      }
      Promise.all([
        save({ force: true }),
        saveAlongside ? saveAlongside() : Promise.resolve(true),
      ]).then(([saved, savedAlongside]) => {
        if (saved && savedAlongside && action === "submit") {
          state.submitting = true;
          window.location.assign(config.submitUrl);
        }
      });
    });
  }

  return { state, setStatus, keepCopy, acknowledge, save, catchUp, listen };
}
