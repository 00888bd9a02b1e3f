// Small behaviours shared by StudyHub's pages. Loaded with `defer`; no inline scripts.
(function () {
  "use strict";

  // Forms marked data-submit-once send once: a double click does not send twice.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "true";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.textContent = "Sending…";
      });
    });
  });

  // A submitted attempt's page forgets the browser's copy of that attempt's draft.
  document.querySelectorAll("[data-clear-draft]").forEach(function (element) {
    try {
      var key = element.dataset.clearDraft;
      var local = JSON.parse(window.localStorage.getItem(key) || "null");
      if (local && local.attempt <= parseInt(element.dataset.attempt, 10)) {
        window.localStorage.removeItem(key);
      }
    } catch (error) {
      /* storage unavailable: nothing kept, nothing to clear */
    }
  });
})();
