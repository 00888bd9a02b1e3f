// What the student sees around the editor, shared by the other modules: the alert above the
// form, the live word count, times of day, and the CSRF token every save sends.
import { countWords } from "../wordcount.js";

export function clock(date) {
  return date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

export function escapeHtml(text) {
  const div = document.createElement("div");
  div.textContent = text;
  return div.innerHTML;
}

export function showAlert(html) {
  const alertEl = document.getElementById("editor-alert");
  alertEl.innerHTML = html;
  alertEl.hidden = false;
}

export function hideAlert() {
  const alertEl = document.getElementById("editor-alert");
  alertEl.hidden = true;
  alertEl.textContent = "";
}

// The count under the editor, in red past the essay's word limit (the form's data-max-words).
export function updateWordCount(form) {
  const wordCountEl = document.getElementById("word-count");
  const words = countWords(form.querySelector("textarea[name=body]").value);
  wordCountEl.textContent = words.toLocaleString("en-GB");
  document.getElementById("word-plural").textContent = words === 1 ? "" : "s";
  wordCountEl.classList.toggle("text-danger", words > parseInt(form.dataset.maxWords, 10));
}

// Read the cookie on every save: after logging in again in another tab the token changes, and
// saving resumes by itself.
export function csrfToken(form) {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match
    ? decodeURIComponent(match[1])
    : form.querySelector("[name=csrfmiddlewaretoken]").value;
}
