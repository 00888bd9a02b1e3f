// The marking page (templates/admin/essays/response/change_form.html): the answer becomes a
// read-only text box to select passages in (answer.js), margin comments are written in the
// panel (comments.js), the comment bank is offered as the teacher types (combobox.js), and the
// keys mark a script without the mouse (keys.js). A module: it runs once the page is parsed.
import { setUpAnswer } from "./answer.js";
import { setUpBankPickers } from "./combobox.js";
import { setUpComments } from "./comments.js";
import { setUpKeys } from "./keys.js";

function start(root) {
  const text = document.getElementById("answer-text");
  const body = JSON.parse(document.getElementById("answer-body").textContent);
  const help = document.getElementById("answer-help");
  const open = root.dataset.commentsOpen === "true";
  // Selecting passages is for commenting: a released answer stays plain text.
  const answer = open ? setUpAnswer(text, body) : { element: text, selection: () => null };
  if (open && help) {
    help.hidden = false;
  }
  const comments = setUpComments({ root, answer });
  setUpBankPickers(root, text);
  if (document.getElementById("response_form")) {
    setUpKeys({ answer, comments });
  }
  root.dataset.ready = "true";
}

const root = document.getElementById("marking");
if (root) {
  start(root);
}
