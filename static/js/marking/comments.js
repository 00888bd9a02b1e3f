// Margin comments: the form in the mark panel for a new comment on the selected passage (or to
// edit one), saved to the server as JSON; the list of comments with its edit, delete and "add
// to my bank" buttons. After each change the server sends the answer's text and the list again,
// rendered as the page first rendered them, and both are swapped in.
import { postJson } from "./api.js";
import { createCombobox } from "./combobox.js";

export function setUpComments({ root, answer }) {
  const open = root.dataset.commentsOpen === "true";
  const holder = document.getElementById("comment-list-holder");
  const message = document.getElementById("comment-message");
  const form = document.getElementById("comment-form");
  const start = document.getElementById("comment-start");
  const field = {
    heading: document.getElementById("comment-form-heading"),
    quote: document.getElementById("comment-form-quote"),
    text: document.getElementById("comment-text"),
    kind: document.getElementById("comment-kind"),
    objective: document.getElementById("comment-objective"),
    save: document.getElementById("comment-save"),
    cancel: document.getElementById("comment-cancel"),
    toBank: document.getElementById("comment-to-bank"),
  };
  // What the form is for: {start, end, quote} for a new comment, or {number, updateUrl, …}.
  let pending = null;
  // The bank comment chosen for the text, while the text is still that comment's.
  let chosen = null;
  let saving = false;

  function say(text, { error = false } = {}) {
    message.textContent = text;
    message.classList.toggle("is-error", error);
  }

  function showAnswer(result) {
    answer.replace(result.text_html);
    holder.innerHTML = result.list_html;
  }

  function openForm(state) {
    pending = state;
    // An edited comment stays linked to its bank comment while its text is unchanged.
    chosen = state.bankItem ? { id: Number(state.bankItem), text: state.comment } : null;
    field.heading.textContent = state.updateUrl ? `Edit comment ${state.number}` : "New comment";
    field.quote.textContent = state.quote;
    field.text.value = state.comment || "";
    field.kind.value = state.kind || "general";
    field.objective.value = state.objective || "";
    form.hidden = false;
    if (!state.updateUrl) {
      answer.showPending(state.start, state.end);
    }
    say("");
    field.text.focus();
  }

  function closeForm() {
    const was = pending;
    form.hidden = true;
    pending = null;
    answer.clearPending();
    return was;
  }

  // Why nothing happened goes where the teacher is looking: beside the button for the button,
  // to the `refuse` given for the c key (the status line at the top of the panel).
  function commentOnSelection(refuse = (text) => say(text, { error: true })) {
    if (!open || !form) {
      refuse("This response has been released: its comments no longer change.");
      return;
    }
    const passage = answer.selection();
    if (!passage) {
      answer.element.focus({ preventScroll: true });
      refuse(
        "Select a passage of the answer first: s selects a sentence, or use the mouse, or Shift and the arrow keys.",
      );
      return;
    }
    openForm(passage);
  }

  async function save() {
    // One save at a time: an Enter pressed again while the first is on its way (a bank comment
    // chosen with Enter is saved at once) must not save the comment twice.
    if (!pending || saving) {
      return;
    }
    const data = {
      comment: field.text.value,
      kind: field.kind.value,
      objective: field.objective.value,
      bank_item: chosen && chosen.text === field.text.value ? chosen.id : null,
    };
    let url = pending.updateUrl;
    if (!url) {
      url = root.dataset.annotationsUrl;
      Object.assign(data, { start: pending.start, end: pending.end, quote: pending.quote });
    }
    field.save.disabled = true;
    saving = true;
    let result;
    try {
      result = await postJson(url, data);
    } finally {
      saving = false;
      field.save.disabled = false;
    }
    if (result.error) {
      say(result.error, { error: true });
      field.text.focus();
      return;
    }
    const was = closeForm();
    showAnswer(result);
    say(`Comment ${result.annotation.number} saved.`);
    returnFrom(was);
  }

  // After the form: back to the answer where the passage ended, ready to select the next one
  // (or, after an edit, to the list).
  function returnFrom(was) {
    if (was && was.end !== undefined) {
      answer.focusAt(was.end);
    } else {
      document.getElementById("comments-heading").focus();
    }
  }

  async function addToBank(text, kind, objective) {
    const result = await postJson(root.dataset.bankAddUrl, { text, kind, objective });
    if (result.error) {
      say(result.error, { error: true });
      return null;
    }
    say(result.message);
    return result.item;
  }

  if (form && open) {
    start.hidden = false;
    const button = document.getElementById("comment-on-selection");
    // Pressing the button must not take the selection away from the answer.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => commentOnSelection());
    const combobox = createCombobox({
      input: field.text,
      listbox: document.getElementById("comment-text-options"),
      url: root.dataset.bankUrl,
      // Enter takes the first suggestion, and a comment chosen from the bank with Enter is
      // saved at once (it can still be edited in the list). To save typed words that a bank
      // comment contains, Esc closes the suggestions first.
      enterChoosesFirst: true,
      onChoose(item, { byKey }) {
        chosen = item;
        field.text.value = item.text;
        field.kind.value = item.kind;
        field.objective.value = item.objective;
        say(`Chosen from the bank: ${item.text}`);
        if (byKey) {
          save();
        }
      },
    });
    field.save.addEventListener("click", save);
    field.cancel.addEventListener("click", () => {
      const was = closeForm();
      combobox.close();
      say("");
      returnFrom(was);
    });
    if (field.toBank) {
      field.toBank.addEventListener("click", async () => {
        const item = await addToBank(field.text.value, field.kind.value, field.objective.value);
        if (item) {
          chosen = item;
          field.text.focus();
        }
      });
    }
    // Enter saves the comment (never the whole mark); Esc closes the form.
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.tagName !== "BUTTON" && !event.defaultPrevented) {
        event.preventDefault();
        save();
      } else if (event.key === "Escape" && !event.defaultPrevented) {
        event.preventDefault();
        field.cancel.click();
      }
    });
  }

  holder.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    const item = event.target.closest(".comment");
    if (!button || !item) {
      return;
    }
    const { number } = item.dataset;
    if (button.classList.contains("comment-edit")) {
      openForm({
        number,
        updateUrl: item.dataset.updateUrl,
        quote: item.dataset.quote,
        comment: item.dataset.comment,
        kind: item.dataset.kind,
        objective: item.dataset.objective,
        bankItem: item.dataset.bankItem,
      });
    } else if (button.classList.contains("comment-delete")) {
      if (!window.confirm(`Delete comment ${number}?`)) {
        return;
      }
      const result = await postJson(item.dataset.deleteUrl, {});
      if (result.error) {
        say(result.error, { error: true });
        return;
      }
      showAnswer(result);
      say(`Comment ${number} deleted.`);
      document.getElementById("comments-heading").focus();
    } else if (button.classList.contains("comment-bank-add")) {
      await addToBank(item.dataset.comment, item.dataset.kind, item.dataset.objective);
    }
  });

  for (const actions of holder.querySelectorAll(".comment-actions")) {
    actions.hidden = false;
  }

  return {
    commentOnSelection,
    isWriting: () => Boolean(pending),
  };
}
