// The dashboard: sign in, then the task list with uploads (#/tasks) or one
// task (#/task/ID), all kept live by one stream of the caller's task events.

import { api, session, watchTasks } from "./api.js";
import { announce, h, replace } from "./dom.js";
import { TaskList } from "./tasks.js";
import { UploadPanel } from "./upload.js";
import { TaskView } from "./viewer.js";

const main = document.getElementById("main");
const live = document.getElementById("live");
const signOutButton = document.getElementById("sign-out");

let stopWatching = null;
let taskList = null;
let uploads = null;
let view = null;

function setLive(state, text) {
  live.dataset.state = state;
  live.textContent = text;
}

function showSignIn(message = "") {
  stopWatching?.();
  stopWatching = null;
  taskList = uploads = view = null;
  signOutButton.hidden = true;
  setLive("off", "");
  const key = h("input", { id: "api-key", type: "password", name: "api-key", autocomplete: "off", required: true, "aria-describedby": "api-key-help" });
  const error = h("p", { class: "error", role: "alert" }, message);
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h(
    "form",
    {
      class: "sign-in",
      "aria-labelledby": "sign-in-title",
      onsubmit: async (event) => {
        event.preventDefault();
        button.disabled = true;
        error.textContent = "";
        try {
          await api.check(key.value.trim());
          session.key = key.value.trim();
          start();
        } catch (failure) {
          error.textContent = failure.status === 401 ? "That API key was refused." : `Could not sign in: ${failure.message}`;
          key.focus();
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h2", { id: "sign-in-title" }, "Sign in"),
    h("div", { class: "field" }, h("label", { for: "api-key" }, "API key"), key),
    h("small", { id: "api-key-help" }, "Printed by `make run` or `chunkd keys create NAME`. Kept in this tab only, until it closes."),
    error,
    button,
  );
  replace(main, form);
  document.title = "Sign in — chunkd";
  key.focus();
}

function signOut(message = "") {
  session.key = "";
  showSignIn(message);
}

function dispatch(kind, data) {
  taskList?.handleEvent(kind, data);
  uploads?.handleEvent(kind, data);
  view?.handleEvent(kind, data);
}

function start() {
  signOutButton.hidden = false;
  taskList = new TaskList();
  uploads = new UploadPanel();
  setLive("connecting", "Connecting…");
  stopWatching = watchTasks({
    onEvent: dispatch,
    onOpen: () => {
      setLive("live", "Live");
      // Changes may have happened while the stream was down.
      taskList?.refresh();
      if (view) view.load();
    },
    onClosed: () => setLive("connecting", "Reconnecting…"),
    onDenied: () => signOut("Your API key was refused; sign in again."),
  });
  route();
}

function route() {
  if (!session.key || !taskList) return;
  const hash = location.hash;
  const match = /^#\/task\/([0-9a-fA-F-]+)$/.exec(hash);
  if (match) {
    view = new TaskView(match[1]);
    replace(main, view.element);
  } else if (hash === "" || hash === "#/" || hash === "#/tasks") {
    view = null;
    replace(main, h("div", { class: "home" }, uploads.element, taskList.element));
    document.title = "Tasks — chunkd";
    taskList.refresh();
  } else if (main.querySelector(".home, .task-view")) {
    return; // an in-page anchor such as the skip link
  } else {
    location.replace("#/tasks");
    return;
  }
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

window.addEventListener("hashchange", route);
signOutButton.addEventListener("click", () => {
  signOut();
  announce("Signed out");
});

if (session.key) start();
else showSignIn();
