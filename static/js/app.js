// Small progressive enhancements shared by every page. Pages work without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const text = source.value ?? source.textContent;
  const done = () => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done);
  } else {
    source.select?.();
    document.execCommand("copy");
    done();
  }
});

// Forms with data-confirm ask in the browser's dialog and, on yes, post confirm=yes: the
// server acts on that alone and, without this script, asks with a page of its own.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.dataset?.confirm;
  if (!message) return;
  if (!window.confirm(message)) {
    event.preventDefault();
    return;
  }
  if (!form.querySelector("input[name=confirm]")) {
    const yes = Object.assign(document.createElement("input"), { type: "hidden", name: "confirm", value: "yes" });
    form.append(yes);
  }
}, true);

// The phone's menu button shows and hides the navigation (wide screens always show it).
const menuPanel = (button) => document.getElementById(button.getAttribute("aria-controls"));
function setMenu(button, open) {
  button.setAttribute("aria-expanded", String(open));
  menuPanel(button).classList.toggle("open", open);
}
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-menu-button]");
  if (button) setMenu(button, button.getAttribute("aria-expanded") !== "true");
});
document.addEventListener("keydown", (event) => {
  const button = document.querySelector("[data-menu-button][aria-expanded=true]");
  if (event.key !== "Escape" || !button) return;
  setMenu(button, false);
  button.focus();
});
