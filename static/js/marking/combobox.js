// Picking from the comment bank by typing a few letters: the ARIA combobox pattern (a text box
// with a list of suggestions it controls; ↓ and ↑ move through them, Enter chooses, Esc closes;
// the box keeps focus and points at the active suggestion with aria-activedescendant).
import { getJson } from "./api.js";

const LETTERS_NEEDED = 2;
const PAUSE_MS = 120;

// input: the combobox's <input>; listbox: its <ul role="listbox">; url: the bank endpoint;
// kind: which kind of comment to offer ("" for any); onChoose(item, {byKey}) is called with the
// chosen bank comment (byKey: chosen with Enter, not clicked). With enterChoosesFirst, Enter
// chooses the first suggestion when none is active.
export function createCombobox({ input, listbox, url, kind = "", onChoose, enterChoosesFirst = false }) {
  let items = [];
  let active = -1;
  let asked = 0;
  let timer = null;

  function setActive(index) {
    active = index;
    const options = listbox.querySelectorAll("[role=option]");
    options.forEach((option, position) => {
      option.setAttribute("aria-selected", position === index ? "true" : "false");
    });
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function show(found) {
    items = found;
    listbox.replaceChildren();
    found.forEach((item, index) => {
      const option = document.createElement("li");
      option.id = `${listbox.id}-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = item.text;
      if (item.objective_name || item.kind_label) {
        const tags = document.createElement("span");
        tags.className = "option-tags";
        tags.textContent = ` (${[item.kind_label, item.objective_name].filter(Boolean).join(" · ")})`;
        option.append(tags);
      }
      // Keep focus in the box while an option is clicked.
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => choose(index));
      listbox.append(option);
    });
    if (found.length === 0) {
      close();
      return;
    }
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(-1);
  }

  async function search() {
    const query = input.value.trim();
    if (query.length < LETTERS_NEEDED) {
      close();
      return;
    }
    const ask = ++asked;
    const params = new URLSearchParams({ q: query });
    if (kind) {
      params.set("kind", kind);
    }
    const answer = await getJson(`${url}?${params}`);
    // An older answer arriving after a newer question is ignored.
    if (ask !== asked || document.activeElement !== input) {
      return;
    }
    show(answer.items || []);
  }

  function choose(index, byKey = false) {
    const item = items[index];
    close();
    if (item) {
      onChoose(item, { byKey });
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, PAUSE_MS);
  });
  input.addEventListener("blur", () => {
    clearTimeout(timer);
    asked += 1;
    close();
  });
  input.addEventListener("keydown", (event) => {
    const open = !listbox.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) {
        search();
      } else {
        setActive((active + 1) % items.length);
      }
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      setActive(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && open && (active >= 0 || enterChoosesFirst)) {
      event.preventDefault();
      event.stopPropagation();
      choose(Math.max(active, 0), true);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });

  return { close };
}

// The "add from the bank" boxes under What went well and Even better if: the chosen comment is
// added to the field as a line of its own, and its id to the form's bank_uses field, so the
// use is counted when the mark is saved. Chosen with Enter, focus goes back to the answer
// (given as `answer`), where the marking keys work.
export function setUpBankPickers(root, answer = null) {
  const uses = document.querySelector("input[name=bank_uses]");
  for (const picker of root.querySelectorAll(".bank-picker")) {
    const input = picker.querySelector("[role=combobox]");
    const target = document.getElementById(picker.dataset.target);
    const status = document.getElementById("marking-status");
    if (!input || !target || !uses) {
      continue;
    }
    picker.hidden = false;
    createCombobox({
      input,
      listbox: picker.querySelector("[role=listbox]"),
      url: root.dataset.bankUrl,
      kind: picker.dataset.kind,
      enterChoosesFirst: true,
      onChoose(item, { byKey }) {
        const kept = target.value.replace(/\s+$/u, "");
        target.value = kept ? `${kept}\n${item.text}` : item.text;
        target.dispatchEvent(new Event("input", { bubbles: true }));
        uses.value = uses.value ? `${uses.value},${item.id}` : String(item.id);
        input.value = "";
        if (status) {
          status.textContent = `Added to ${target.labels[0] ? target.labels[0].textContent : "the feedback"}: ${item.text}`;
          status.classList.remove("is-warning");
        }
        if (byKey && answer) {
          answer.focus({ preventScroll: true });
        }
      },
    });
    // Enter in the box never submits the mark: it chooses, or does nothing.
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
  }
}
