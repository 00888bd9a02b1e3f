// Unsaved work on the marking page. The mark's fields are compared with what the page loaded
// with (typing a mark and deleting it again is no change); while they differ, the pile's links
// and the n/p keys ask first (a second go within a few seconds leaves), and any other way of
// leaving but the form's own buttons gets the browser's warning.

const ASK_AGAIN_MS = 5000;

function snapshot(form) {
  const values = [];
  for (const [name, value] of new FormData(form)) {
    if (name !== "csrfmiddlewaretoken") {
      values.push([name, String(value)]);
    }
  }
  return JSON.stringify(values);
}

export function guardUnsavedWork({ form, say }) {
  const initial = snapshot(form);
  // A refused mark comes back as it was typed: it has never been saved.
  const refused = Boolean(document.getElementById("marking-errors"));
  let asked = null;
  let leaving = false;

  function unsaved() {
    return refused || snapshot(form) !== initial;
  }

  // Whether the teacher may go to `href` now; if not, they are told how to.
  function mayLeave(href, howAgain) {
    if (leaving || !unsaved()) {
      return true;
    }
    if (asked && asked.href === href && Date.now() - asked.at < ASK_AGAIN_MS) {
      leaving = true;
      return true;
    }
    asked = { href, at: Date.now() };
    say(`You have an unsaved mark: ${howAgain} to leave without saving, or Save first.`, {
      warning: true,
    });
    return false;
  }

  const links = document.querySelectorAll(
    "#previous-script, #next-script, .breadcrumbs a, #mark-panel .closelink",
  );
  for (const link of links) {
    link.addEventListener("click", (event) => {
      // A new tab or window leaves this page as it is.
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return;
      }
      if (!mayLeave(link.href, "click it again")) {
        event.preventDefault();
      }
    });
  }

  form.addEventListener("submit", () => {
    leaving = true;
  });
  window.addEventListener("beforeunload", (event) => {
    if (!leaving && unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // Back from the browser's cache (after leaving), the page is as it was: ask again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      leaving = false;
      asked = null;
    }
  });

  return {
    mayLeave,
    forget() {
      asked = null;
    },
  };
}
