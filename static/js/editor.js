// The response editor: saves the draft as the student types, keeps a copy in this browser,
// and never throws text away — not on a dropped connection, an expired session or a second tab.
//
// The server is the record. Every save names the attempt and version it was based on; the
// server refuses a save from a stale copy (409) and the student is shown both texts. Until a
// save is acknowledged, the text lives in localStorage and is offered back on the next visit.
(function () {
  "use strict";

  var form = document.getElementById("response-form");
  if (!form) {
    return;
  }
  var textarea = form.querySelector("textarea[name=body]");
  var attemptInput = form.querySelector("input[name=attempt]");
  var versionInput = form.querySelector("input[name=version]");
  var statusEl = document.getElementById("save-status");
  var wordCountEl = document.getElementById("word-count");
  var wordPluralEl = document.getElementById("word-plural");
  var alertEl = document.getElementById("editor-alert");
  var config = form.dataset;
  var countWords = window.StudyHub.countWords;

  var SAVE_DELAY_MS = 2000;
  var MAX_RETRY_MS = 30000;

  var state = {
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

  // Text kept in this browser

  function readLocal() {
    try {
      return JSON.parse(window.localStorage.getItem(config.storageKey) || "null");
    } catch (error) {
      return null;
    }
  }

  function writeLocal() {
    try {
      window.localStorage.setItem(
        config.storageKey,
        JSON.stringify({
          body: textarea.value,
          attempt: state.attempt,
          baseVersion: state.version,
          savedAt: Date.now(),
        }),
      );
    } catch (error) {
      // Storage full or disabled: the server copy still works.
    }
  }

  // What the student sees

  function clock(date) {
    return date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = kind ? "text-" + kind : "";
  }

  function showAlert(html) {
    alertEl.innerHTML = html;
    alertEl.hidden = false;
  }

  function hideAlert() {
    alertEl.hidden = true;
    alertEl.textContent = "";
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function updateWordCount() {
    var words = countWords(textarea.value);
    wordCountEl.textContent = words.toLocaleString("en-GB");
    wordPluralEl.textContent = words === 1 ? "" : "s";
    var max = parseInt(config.maxWords, 10);
    wordCountEl.classList.toggle("text-danger", words > max);
  }

  // A panel showing a second text beside the editor, with a choice between them.
  var recovery = {
    section: document.getElementById("recovery"),
    heading: document.getElementById("recovery-heading"),
    text: document.getElementById("recovery-text"),
    label: document.getElementById("recovery-label"),
    copy: document.getElementById("recovery-copy"),
    use: document.getElementById("recovery-use"),
    keep: document.getElementById("recovery-keep"),
  };

  function offerChoice(options) {
    recovery.heading.textContent = options.heading;
    recovery.text.textContent = options.text;
    recovery.label.textContent = options.label;
    recovery.copy.value = options.otherBody;
    recovery.use.textContent = options.useLabel;
    recovery.keep.textContent = options.keepLabel;
    recovery.use.onclick = function () {
      recovery.section.hidden = true;
      options.onUse();
    };
    recovery.keep.onclick = function () {
      recovery.section.hidden = true;
      options.onKeep();
    };
    recovery.section.hidden = false;
    recovery.heading.setAttribute("tabindex", "-1");
    recovery.heading.focus();
  }

  // Saving

  function csrfToken() {
    // Read the cookie on every save: after logging in again in another tab the token changes,
    // and saving resumes by itself.
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : form.querySelector("[name=csrfmiddlewaretoken]").value;
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
    writeLocal();
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
      return state.inFlight.then(function () {
        return save(options);
      });
    }
    var body = textarea.value;
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
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            return handleAnswer(response.status, data, body);
          });
      })
      .catch(function () {
        retryLater("You seem to be offline.");
        return false;
      })
      .finally(function () {
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
      window.setTimeout(function () {
        if (state.blocked === "login") {
          save({ force: true });
        }
      }, 10000);
      return false;
    }
    if (status === 409 && data.error === "stale") {
      state.blocked = "stale";
      setStatus("Not saved — changed in another tab", "danger");
      var server = data.server;
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
        onUse: function () {
          state.blocked = null;
          state.attempt = server.attempt;
          state.version = server.version;
          state.savedBody = server.body;
          save();
        },
        onKeep: function () {
          state.blocked = null;
          textarea.value = server.body;
          updateWordCount();
          acknowledge(server, server.body);
        },
      });
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
      state.blocked = "invalid";
      setStatus("Not saved", "danger");
      showAlert(escapeHtml(data.message || "This text could not be saved."));
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
    var post = document.createElement("form");
    post.method = "post";
    post.action = config.newAttemptUrl;
    [
      ["csrfmiddlewaretoken", csrfToken()],
      ["body", textarea.value],
    ].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      post.appendChild(input);
    });
    document.body.appendChild(post);
    state.submitting = true;
    post.submit();
  }

  // Text from an earlier visit

  function restoreFromBrowser() {
    var local = readLocal();
    if (!local || typeof local.body !== "string" || local.body === textarea.value) {
      return;
    }
    var savedAt = config.savedAt ? Date.parse(config.savedAt) : 0;
    if (local.attempt === state.attempt && local.baseVersion >= state.version) {
      // Typed on top of the version this page holds, or of a newer one (the page was sent
      // before the server had finished saving this browser's last text, as on a reload
      // straight after typing): the browser copy is the newer text. Put it back; the server
      // still refuses it if another tab changed the draft since.
      textarea.value = local.body;
      updateWordCount();
      if (local.baseVersion === state.version) {
        setStatus("Restored unsaved text from this browser");
        showAlert(
          "Your last changes (" +
            clock(new Date(local.savedAt)) +
            ") had not reached the server. They are back in the editor and being saved now.",
        );
      } else {
        setStatus("Restored your latest text from this browser");
      }
      save();
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
        onUse: function () {
          textarea.value = local.body;
          updateWordCount();
          save();
        },
        onKeep: function () {
          writeLocal();
        },
      });
    }
  }

  // The optional countdown: it only informs, and never stops the student submitting.

  function setUpTimer() {
    var wrapper = document.getElementById("timer");
    var toggle = document.getElementById("timer-toggle");
    var display = document.getElementById("timer-display");
    var announce = document.getElementById("timer-announce");
    var minutes = parseInt(config.minutes, 10);
    var label = toggle.textContent;
    var tick = null;
    var announced = {};
    wrapper.hidden = false;

    function started() {
      try {
        return parseInt(window.localStorage.getItem(config.timerKey), 10) || null;
      } catch (error) {
        return null;
      }
    }

    function render() {
      var start = started();
      if (!start) {
        return;
      }
      var left = Math.round((start + minutes * 60000 - Date.now()) / 1000);
      if (left <= 0) {
        display.textContent = "Time is up — finish your sentence and submit when ready.";
        if (!announced[0]) {
          announce.textContent = "Time is up. You can still finish and submit.";
          announced[0] = true;
        }
        return;
      }
      var mm = Math.floor(left / 60);
      var ss = String(left % 60).padStart(2, "0");
      display.textContent = mm + ":" + ss + " left";
      [10, 5, 1].forEach(function (mark) {
        if (mm < mark && !announced[mark] && left <= mark * 60) {
          announced[mark] = true;
          announce.textContent = mark + (mark === 1 ? " minute" : " minutes") + " left.";
        }
      });
    }

    function run() {
      toggle.textContent = "Stop timer";
      render();
      tick = window.setInterval(render, 1000);
    }

    toggle.addEventListener("click", function () {
      if (tick) {
        window.clearInterval(tick);
        tick = null;
        window.localStorage.removeItem(config.timerKey);
        display.textContent = "";
        toggle.textContent = label;
        return;
      }
      window.localStorage.setItem(config.timerKey, String(Date.now()));
      run();
    });
    if (started()) {
      run();
    }
  }

  // Wiring

  textarea.addEventListener("input", function () {
    updateWordCount();
    writeLocal();
    if (!state.blocked) {
      setStatus("Unsaved changes");
      scheduleSave(SAVE_DELAY_MS);
    }
  });
  textarea.addEventListener("blur", function () {
    save();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      save({ keepalive: true });
    }
  });
  window.addEventListener("pagehide", function () {
    save({ keepalive: true });
  });
  window.addEventListener("online", function () {
    if (!state.blocked) {
      save();
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (!state.submitting && textarea.value !== state.savedBody) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  form.addEventListener("submit", function (event) {
    var action = event.submitter ? event.submitter.value : "save";
    event.preventDefault();
    if (state.blocked === "stale" || state.blocked === "submitted") {
      recovery.section.hidden || recovery.heading.focus();
      return;
    }
    save({ force: true }).then(function (saved) {
      if (saved && action === "submit") {
        state.submitting = true;
        window.location.assign(config.submitUrl);
      }
    });
  });

  function takeOverServerConflict() {
    // Without this script the server shows the conflict itself; with it, offer the same choice.
    var panel = document.getElementById("server-conflict");
    if (!panel) {
      return false;
    }
    var other = document.getElementById("other-version").value;
    panel.hidden = true;
    state.blocked = "stale";
    setStatus("Not saved — changed in another tab", "danger");
    offerChoice({
      heading: "This draft was changed somewhere else",
      text: panel.querySelector("p").textContent,
      label: "The other version",
      otherBody: other,
      useLabel: "Keep my text from this page",
      keepLabel: "Use the other version",
      onUse: function () {
        state.blocked = null;
        save();
      },
      onKeep: function () {
        state.blocked = null;
        textarea.value = other;
        state.savedBody = other;
        updateWordCount();
        writeLocal();
        setStatus("Using the other version");
      },
    });
    return true;
  }

  updateWordCount();
  if (!takeOverServerConflict()) {
    restoreFromBrowser();
    if (textarea.value !== state.savedBody) {
      // Typed before this script arrived, or sent back by the server unsaved.
      writeLocal();
      save();
    }
  }
  setUpTimer();
  form.dataset.ready = "true";
})();
