// The video page's gallery: ticking clips for the bulk bar, and selecting transcript words
// to make a clip. Listeners are delegated on the document, so lists that htmx swaps in (the
// filters' results, the words loaded when "Make a clip" opens) work without setting up again.
// Wrapped in a block: dashboard.js declares top-level names (clock) in the same global scope.
"use strict";
{
  const clockOf = (seconds) => {
    const total = Math.floor(seconds);
    const m = Math.floor(total / 60), s = total % 60;
    return `${m}:${String(s).padStart(2, "0")}`;
  };

  // ---- Bulk bar: the ticked clips, "Select all", and asking before a delete ----
  const ticks = () => [...document.querySelectorAll("input[name=clip][form=bulk-clips]")];

  function syncBulk() {
    const form = document.getElementById("bulk-clips");
    if (!form) return;
    const all = ticks(), chosen = all.filter((box) => box.checked);
    form.querySelector("[data-selected-count]").textContent = chosen.length
      ? `${chosen.length} clip${chosen.length === 1 ? "" : "s"} selected.`
      : "Tick clips to act on them.";
    for (const button of form.querySelectorAll("[data-needs-selection]")) button.disabled = !chosen.length;
    const every = form.querySelector("[data-select-all]");
    every.checked = all.length > 0 && chosen.length === all.length;
    every.indeterminate = chosen.length > 0 && chosen.length < all.length;
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-select-all]")) {
      for (const box of ticks()) box.checked = event.target.checked;
    }
    if (event.target.matches("[data-select-all], input[name=clip][form=bulk-clips]")) syncBulk();
  });
  document.addEventListener("htmx:afterSettle", syncBulk);
  document.addEventListener("DOMContentLoaded", syncBulk);

  // A delete asks in the browser's dialog and, on yes, posts confirm=yes; without this
  // script the server asks with a page of its own (accounts.confirm).
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.id !== "bulk-clips") return;
    form.querySelector("input[name=confirm]")?.remove();
    if (event.submitter?.value !== "delete") return;
    const count = ticks().filter((box) => box.checked).length;
    const question = `Delete ${count} clip${count === 1 ? "" : "s"}? Their files go too, and the minutes ` +
      "the video was charged are not refunded. This cannot be undone.";
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    form.append(Object.assign(document.createElement("input"), { type: "hidden", name: "confirm", value: "yes" }));
  }, true);

  // ---- Make a clip: a mouse selection, or a click then a shift-click, picks a run of words ----
  let anchor = null;

  function pick(box, one, other) {
    const words = [...box.querySelectorAll(".pick-word")];
    let first = words.indexOf(one), last = words.indexOf(other);
    if (first > last) [first, last] = [last, first];
    words.forEach((word, i) => word.classList.toggle("picked", i >= first && i <= last));
    const form = document.getElementById("make-clip-form");
    const start = Number(words[first].dataset.start), end = Number(words[last].dataset.end);
    form.elements.start.value = start;
    form.elements.end.value = end;
    const said = words.slice(first, last + 1).map((word) => word.textContent);
    const quote = said.length > 12 ? `${said.slice(0, 5).join(" ")} … ${said.slice(-5).join(" ")}` : said.join(" ");
    form.querySelector("#pick-note").textContent =
      `Selected ${clockOf(start)}–${clockOf(end)} (${(end - start).toFixed(1)} s): “${quote}”`;
    form.querySelector("#make-clip-error").textContent = "";
  }

  // A selection of the text (a mouse drag, or a phone's selection handles) picks the words it
  // touches as it changes. A mouse drag then drops the browser's own highlight, and the click
  // that may end it (down and up on one word) is not taken for a click on that word alone.
  function pickSelected() {
    const selection = window.getSelection();
    if (selection.isCollapsed || !selection.rangeCount) return false;
    const common = selection.getRangeAt(0).commonAncestorContainer;
    const box = (common.nodeType === Node.ELEMENT_NODE ? common : common.parentElement).closest("[data-pick-words]");
    if (!box) return false;
    const inside = [...box.querySelectorAll(".pick-word")].filter((word) => selection.containsNode(word, true));
    if (!inside.length) return false;
    anchor = inside[0];
    pick(box, inside[0], inside[inside.length - 1]);
    return true;
  }
  let dragged = false;
  document.addEventListener("selectionchange", pickSelected);
  document.addEventListener("mousedown", (event) => {
    dragged = false;
    // A shift-click would also stretch the browser's selection; the words show the pick.
    if (event.shiftKey && event.target.closest?.(".pick-word")) event.preventDefault();
  });
  document.addEventListener("mouseup", (event) => {
    if (!event.target.closest?.("[data-pick-words]") || !pickSelected()) return;
    window.getSelection().removeAllRanges();
    dragged = true;
  });
  document.addEventListener("click", (event) => {
    const word = event.target.closest(".pick-word");
    if (!word || dragged) return;
    const box = word.closest("[data-pick-words]");
    if (event.shiftKey && anchor && box.contains(anchor)) {
      pick(box, anchor, word);
    } else {
      anchor = word;
      pick(box, word, word);
    }
  });
}
