// The optional countdown of the essay's time allowed: it only informs, and never stops the
// student submitting. It survives a reload: the start time is kept in this browser.

// minutes: the time allowed; started: when this attempt's timer started (storage.js timerStart).
export function setUpTimer({ minutes, started }) {
  const wrapper = document.getElementById("timer");
  const toggle = document.getElementById("timer-toggle");
  const display = document.getElementById("timer-display");
  const announce = document.getElementById("timer-announce");
  const label = toggle.textContent;
  const announced = {};
  let tick = null;
  wrapper.hidden = false;

  function render() {
    const start = started.read();
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
