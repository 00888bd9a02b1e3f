// Small behaviours shared by StudyHub's pages. A module (deferred, like every module script); no
// inline scripts.
import { forgetSubmittedDraft } from "./editor/storage.js";

// Forms marked data-submit-once send once: a double click does not send twice.
document.querySelectorAll("form[data-submit-once]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "true";
    form.querySelectorAll("button[type=submit]").forEach((button) => {
      button.disabled = true;
      button.textContent = "Sending…";
    });
  });
});

// A submitted attempt's page forgets the browser's copy of that attempt's draft.
document.querySelectorAll("[data-clear-draft]").forEach((element) => {
  const { user, essay, attempt } = element.dataset;
  forgetSubmittedDraft(user, essay, parseInt(attempt, 10));
});
