// The response editor: wires autosave (saving.js), the browser copy (storage.js), the "which
// copy?" choice (recovery.js), the timer (timer.js), the word count and, in a redraft, the
// replies to its targets (replies.js) to the page (templates/essays/respond.html). A module: it
// runs once the page has been parsed.
import { updateWordCount } from "./page.js";
import { createRecovery } from "./recovery.js";
import { createReplies } from "./replies.js";
import { createSaver } from "./saving.js";
import { draftCopy, timerStart } from "./storage.js";
import { setUpTimer } from "./timer.js";

function start(form) {
  const config = form.dataset;
  const textarea = form.querySelector("textarea[name=body]");
  const copy = draftCopy(config.user, config.essay);
  // Which browser copy this editor keeps (read by the browser tests).
  config.storageKey = copy.key;

  const repliesSection = document.getElementById("target-replies");
  const replies = repliesSection ? createReplies({ form, section: repliesSection }) : null;

  let recovery = null;
  const saver = createSaver({
    form,
    copy,
    onStale: (server) => recovery.chooseAfterStale(server),
    onBlockedSubmit: () => recovery.focus(),
    saveAlongside: replies ? replies.flush : null,
  });
  recovery = createRecovery({ form, saver, copy });

  textarea.addEventListener("input", () => {
    updateWordCount(form);
  });
  saver.listen();
  if (replies) {
    replies.listen();
    replies.restoreFromBrowser();
  }

  updateWordCount(form);
  if (!recovery.takeOverServerConflict()) {
    recovery.restoreFromBrowser();
    saver.catchUp();
  }
  setUpTimer({
    minutes: parseInt(config.minutes, 10),
    // The attempt the page was sent for.
    started: timerStart(config.user, config.essay, form.querySelector("input[name=attempt]").value),
  });
  config.ready = "true";
}

const form = document.getElementById("response-form");
if (form) {
  start(form);
}
