// The student's answer as a read-only text box: it takes focus and a caret, so a passage can be
// selected with Shift and the arrow keys as in any text box, but every edit is refused (and
// anything that slips through, such as an IME composition, is put back at once).
//
// Offsets are those of the server (essays/marking/annotated_text.py): Python's, which count
// code points, not the UTF-16 units JavaScript strings count. Each line of the rendered text
// is a <span class="line" data-start="N">, N being the offset of its first character.

const BLOCKED = ["beforeinput", "paste", "drop", "cut"];

function codePoints(text) {
  return Array.from(text).length;
}

export function setUpAnswer(element, body) {
  const chars = Array.from(body);
  let pristine = element.innerHTML;
  let remembered = null;

  element.contentEditable = "true";
  element.tabIndex = 0;
  element.spellcheck = false;
  element.setAttribute("role", "textbox");
  element.setAttribute("aria-readonly", "true");
  element.setAttribute("aria-multiline", "true");
  element.setAttribute("aria-label", "The student's answer");
  // No on-screen keyboard on phones: nothing can be typed here.
  element.setAttribute("inputmode", "none");
  element.setAttribute("autocapitalize", "off");
  element.setAttribute("autocorrect", "off");
  for (const type of BLOCKED) {
    element.addEventListener(type, (event) => event.preventDefault());
  }
  element.addEventListener("input", () => {
    element.innerHTML = pristine;
  });

  function lines() {
    return Array.from(element.querySelectorAll(".line"));
  }

  // The offset in the text of a boundary point of a selection.
  function offsetOf(node, offset) {
    if (!element.contains(node)) {
      const before = element.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_PRECEDING;
      return before ? 0 : chars.length;
    }
    const holder = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const line = holder.closest(".line");
    if (line && element.contains(line)) {
      const range = document.createRange();
      range.setStart(line, 0);
      range.setEnd(node, offset);
      return Number(line.dataset.start) + codePoints(range.toString());
    }
    // Between two lines (on a line break): the start of the next line. Selections are trimmed
    // of white space at both ends, so the line break itself never counts.
    const point = document.createRange();
    point.setStart(node, offset);
    for (const next of lines()) {
      if (point.comparePoint(next, 0) >= 0) {
        return Number(next.dataset.start);
      }
    }
    return chars.length;
  }

  // The passage selected in the answer, trimmed of white space: {start, end, quote, range}, or
  // null when nothing in the answer is selected.
  function currentSelection() {
    const selected = window.getSelection();
    if (!selected || selected.rangeCount === 0 || selected.isCollapsed) {
      return null;
    }
    const range = selected.getRangeAt(0);
    if (!range.intersectsNode(element)) {
      return null;
    }
    let start = offsetOf(range.startContainer, range.startOffset);
    let end = offsetOf(range.endContainer, range.endOffset);
    if (start > end) {
      [start, end] = [end, start];
    }
    while (start < end && /\s/u.test(chars[start])) {
      start += 1;
    }
    while (end > start && /\s/u.test(chars[end - 1])) {
      end -= 1;
    }
    if (start >= end) {
      return null;
    }
    return { start, end, quote: chars.slice(start, end).join("") };
  }

  // A button pressed after selecting with the mouse may have taken the selection away: keep the
  // last one made in the answer, until the caret is put somewhere else in it.
  document.addEventListener("selectionchange", () => {
    const selected = window.getSelection();
    if (!selected || selected.rangeCount === 0) {
      return;
    }
    const passage = currentSelection();
    if (passage) {
      remembered = passage;
    } else if (element.contains(selected.anchorNode)) {
      remembered = null;
    }
  });

  // The DOM position of a text offset: a text node and a (UTF-16) offset in it.
  function pointAt(target) {
    let line = null;
    for (const candidate of lines()) {
      if (Number(candidate.dataset.start) <= target) {
        line = candidate;
      } else {
        break;
      }
    }
    if (!line) {
      return { node: element, offset: 0 };
    }
    let remaining = target - Number(line.dataset.start);
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let last = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const points = Array.from(node.data);
      if (remaining <= points.length) {
        return { node, offset: points.slice(0, remaining).join("").length };
      }
      remaining -= points.length;
      last = node;
    }
    return last ? { node: last, offset: last.data.length } : { node: line, offset: 0 };
  }

  function rangeFor(start, end) {
    const range = document.createRange();
    const from = pointAt(start);
    const to = pointAt(end);
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    return range;
  }

  // The sentences of the answer, as [start, end) offsets trimmed of white space. A sentence
  // ends at . ! or ? (and any closing quotes or brackets) followed by white space or the end of
  // the text, or at a line break.
  function sentences() {
    const found = [];
    let from = 0;
    const close = (end) => {
      let start = from;
      let stop = end;
      while (start < stop && /\s/u.test(chars[start])) {
        start += 1;
      }
      while (stop > start && /\s/u.test(chars[stop - 1])) {
        stop -= 1;
      }
      if (start < stop) {
        found.push({ start, end: stop });
      }
      from = end;
    };
    for (let index = 0; index < chars.length; index += 1) {
      if (chars[index] === "\n") {
        close(index);
      } else if (/[.!?]/u.test(chars[index])) {
        let after = index + 1;
        while (after < chars.length && /["'\u201d\u2019)\]\u00bb]/u.test(chars[after])) {
          after += 1;
        }
        if (after === chars.length || /\s/u.test(chars[after])) {
          close(after);
          index = after - 1;
        }
      }
    }
    close(chars.length);
    return found;
  }

  // The caret's offset in the answer, or null when the selection is not in it.
  function caretOffset() {
    const selected = window.getSelection();
    if (!selected || selected.rangeCount === 0 || !element.contains(selected.focusNode)) {
      return null;
    }
    return offsetOf(selected.focusNode, selected.focusOffset);
  }

  function select(start, end) {
    element.focus({ preventScroll: true });
    const selected = window.getSelection();
    selected.removeAllRanges();
    selected.addRange(rangeFor(start, end));
    const point = pointAt(end).node;
    const shown = point.nodeType === Node.ELEMENT_NODE ? point : point.parentElement;
    if (shown) {
      shown.scrollIntoView({ block: "nearest" });
    }
  }

  return {
    element,
    // The s key: select the sentence at the caret (the next one when the caret is between two,
    // the first when the caret is not in the answer); with a passage selected, extend it to the
    // end of the sentence after it. Returns {start, end, quote}, or null at the end of the text.
    selectSentence() {
      const all = sentences();
      const passage = currentSelection();
      let sentence;
      let start;
      if (passage) {
        sentence = all.find((candidate) => candidate.end > passage.end);
        start = passage.start;
      } else {
        const caret = caretOffset();
        sentence = caret === null ? all[0] : all.find((candidate) => candidate.end > caret);
        start = sentence ? sentence.start : 0;
      }
      if (!sentence) {
        return null;
      }
      select(start, sentence.end);
      return { start, end: sentence.end, quote: chars.slice(start, sentence.end).join("") };
    },
    selection() {
      return currentSelection() || remembered;
    },
    // New HTML from the server (after a comment was saved or deleted).
    replace(html) {
      element.innerHTML = html;
      pristine = html;
      remembered = null;
    },
    // While a comment is being written, its passage stays highlighted (where the browser can).
    showPending(start, end) {
      if (window.CSS && CSS.highlights && window.Highlight) {
        CSS.highlights.set("pending-comment", new Highlight(rangeFor(start, end)));
      }
    },
    clearPending() {
      if (window.CSS && CSS.highlights) {
        CSS.highlights.delete("pending-comment");
      }
    },
    // Back to the answer with the caret after `offset`, ready to select the next passage.
    focusAt(offset) {
      element.focus();
      const point = pointAt(offset);
      const selected = window.getSelection();
      selected.removeAllRanges();
      const range = document.createRange();
      range.setStart(point.node, point.offset);
      range.collapse(true);
      selected.addRange(range);
    },
  };
}
