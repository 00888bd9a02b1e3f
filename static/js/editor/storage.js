// What StudyHub keeps in this browser (localStorage): the copy of a draft the server may not
// have yet, the replies to a redraft's targets the server may not have yet, and when the
// essay's timer was started. Every key is built here, and only here:
// the editor writes and offers back the draft copy, and a submitted attempt's page forgets it.
//
// Storage can be full or disabled; the draft copy then quietly does nothing, as the server copy
// still works.

function draftKey(user, essay) {
  return "studyhub:draft:" + user + ":" + essay;
}

function repliesKey(user, response) {
  return "studyhub:replies:" + user + ":" + response;
}

function timerKey(user, essay, attempt) {
  return "studyhub:timer:" + user + ":" + essay + ":" + attempt;
}

// The browser copy of one student's draft of one essay, whichever attempt it belongs to:
// { body, attempt, baseVersion (the server version it was typed on), savedAt (ms) }.
export function draftCopy(user, essay) {
  return keptJson(draftKey(user, essay));
}

// The browser copy of the replies to a redraft's targets (the redraft is the response) that the
// server may not have yet: { replies: { "1": text, … }, savedAt (ms) }.
export function repliesCopy(user, response) {
  return keptJson(repliesKey(user, response));
}

// A value kept as JSON under one key.
function keptJson(key) {
  return {
    key,
    read() {
      try {
        return JSON.parse(window.localStorage.getItem(key) || "null");
      } catch (error) {
        return null;
      }
    },
    write(copy) {
      try {
        window.localStorage.setItem(key, JSON.stringify(copy));
      } catch (error) {
        // Storage full or disabled: the server copy still works.
      }
    },
    clear() {
      try {
        window.localStorage.removeItem(key);
      } catch (error) {
        // Storage unavailable: nothing kept, nothing to clear.
      }
    },
  };
}

// A submitted attempt's page forgets the browser copy of that attempt (or an earlier one).
export function forgetSubmittedDraft(user, essay, attempt) {
  const copy = draftCopy(user, essay);
  const local = copy.read();
  if (local && local.attempt <= attempt) {
    copy.clear();
  }
}

// When the timer for one attempt was started (ms), or null when it is not running.
// Starting and stopping are not guarded: without storage the timer cannot run, and the button
// does nothing.
export function timerStart(user, essay, attempt) {
  const key = timerKey(user, essay, attempt);
  return {
    key,
    read() {
      try {
        return parseInt(window.localStorage.getItem(key), 10) || null;
      } catch (error) {
        return null;
      }
    },
    start(now) {
      window.localStorage.setItem(key, String(now));
    },
    stop() {
      window.localStorage.removeItem(key);
    },
  };
}
