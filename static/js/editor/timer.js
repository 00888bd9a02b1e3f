// The countdown of the time allowed: it only informs, and never stops the student submitting.
// For practice it is optional, and survives a reload: its start is kept in this browser.
// Set work with a time limit runs it by itself from when the student started the work, as the
// server recorded it (the #timer's data-elapsed-seconds: how long ago, by the server's clock,
// when the page was sent), so a reload or another device continues the same countdown, and it
// cannot be stopped.

// minutes: the time allowed; started: when this attempt's timer started (storage.js timerStart).
export function setUpTimer({ minutes, started }) {
  const wrapper = document.getElementById("timer");
  const toggle = document.getElementById("timer-toggle");
  const display = document.getElementById("timer-display");
  const announce = document.getElementById("timer-announce");
  const label = toggle.textContent;
  const announced = {};
  const recorded = wrapper.dataset.elapsedSeconds;
  let clock = started;
  let tick = null;
  wrapper.hidden = false;

  function render() {
    const start = clock.read();
    if (!start) {
      return;
    }
    const left = Math.round((start + minutes * 60000 - Date.now()) / 1000);
    if (left <= 0) {
      display.textContent = "Time is up — finish your sentence and submit when ready.";
      if (!announced[0]) {
        announce.textContent = "Time is up. You can still finish and submit.";
        announced[0] = true;
      }
      return;
    }
    const mm = Math.floor(left / 60);
    const ss = String(left % 60).padStart(2, "0");
    display.textContent = mm + ":" + ss + " left";
    [10, 5, 1].forEach((mark) => {
      if (mm < mark && !announced[mark] && left <= mark * 60) {
        announced[mark] = true;
        announce.textContent = mark + (mark === 1 ? " minute" : " minutes") + " left.";
      }
    });
  }

  function run() {
    toggle.textContent = "Stop timer";
    render();
    tick = window.setInterval(render, 1000);
  }

  if (recorded !== undefined) {
    const start = Date.now() - parseInt(recorded, 10) * 1000;
    clock = { read: () => start };
    toggle.hidden = true;
    render();
    window.setInterval(render, 1000);
    return;
  }

  toggle.addEventListener("click", () => {
    if (tick) {
      window.clearInterval(tick);
      tick = null;
      started.stop();
      display.textContent = "";
      toggle.textContent = label;
      return;
    }
    started.start(Date.now());
    run();
  });
  if (started.read()) {
    run();
  }
}
