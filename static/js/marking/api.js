// The marking page's requests to the server: JSON in, JSON out, with the page's CSRF token.
// Every answer comes back as an object; one the page cannot use has an `error` to show.

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

async function readAnswer(response) {
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("application/json")) {
    if (response.redirected || response.status === 403) {
      return { error: "Your session has ended or the page is out of date: reload it (and log in again)." };
    }
    return { error: `The server could not do this (error ${response.status}): reload the page and try again.` };
  }
  const data = await response.json();
  if (!response.ok && !data.error) {
    data.error = `The server could not do this (error ${response.status}).`;
  }
  return data;
}

const OFFLINE = { error: "The server could not be reached: check the connection and try again." };

export async function postJson(url, data) {
  try {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(data),
    });
    return await readAnswer(response);
  } catch {
    return OFFLINE;
  }
}

export async function getJson(url) {
  try {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    return await readAnswer(response);
  } catch {
    return OFFLINE;
  }
}
