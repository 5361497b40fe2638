// Dashboard behaviour: submitting with upload progress, cost estimates, transcript seeking,
// the clip editor's word strip and speaker track. Listeners are delegated on the document,
// so parts that htmx swaps in work without setting anything up again.
"use strict";

// Forms answer 422 with their errors: swap those in instead of treating them as failures.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "422", swap: true },
  { code: "[45]..", swap: false, error: true },
];

const clock = (seconds) => {
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? `${h}:` : "") + `${mm}:${String(s).padStart(2, "0")}`;
};
const minutesFor = (seconds) => Math.max(1, Math.ceil(seconds / 60));
const numberIn = (form, name) => {
  const value = parseFloat(form.elements[name]?.value);
  return Number.isFinite(value) ? value : null;
};

// ---- New video: the file, its size and duration, the cost, and the upload ----
const newForm = () => document.getElementById("new-video-form");
let fileSeconds = null;

function showCost(form) {
  const cost = form.querySelector("#cost");
  const balance = Number(form.dataset.balance);
  const file = form.elements.file.files[0];
  if (!file || form.dataset.refused) {
    cost.textContent = `Minutes are charged from the duration once it is known: about 1 minute per minute of video. You have ${balance}.`;
    cost.classList.remove("cost-warn");
    return;
  }
  if (fileSeconds === null) {
    cost.textContent = "Reading the video's duration…";
    return;
  }
  const start = Math.min(numberIn(form, "start") ?? 0, fileSeconds);
  const end = Math.min(numberIn(form, "end") ?? fileSeconds, fileSeconds);
  const minutes = minutesFor(Math.max(0, end - start));
  const enough = minutes <= balance;
  cost.textContent = `This video is ${clock(fileSeconds)} long: processing ${clock(Math.max(0, end - start))} ` +
    `costs ${minutes} minute${minutes === 1 ? "" : "s"}. You have ${balance}.` +
    (enough ? "" : " That is not enough: shorten the time range or add minutes.");
  cost.classList.toggle("cost-warn", !enough);
}

// ---- New video: a file the browser cannot read is refused before it is uploaded ----
// Chromium and Firefox play MP4, WebM and the common audio formats; Clipsite also reads
// containers they do not (AVI, MPEG-TS, FLV, Matroska with other codecs). So when the
// browser cannot read a file, its first bytes decide: such a container is uploaded and
// checked by the server; text, or bytes of no known container, is refused here.
const MP4_BOXES = ["ftyp", "moov", "mdat", "free", "skip", "wide", "pnot"];

function looksLikeText(head) {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return true;  // UTF-16
  if (head.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
  } catch {
    return false;
  }
  return !head.some((byte) => byte < 32 && ![9, 10, 12, 13].includes(byte));
}

function looksLikeMedia(head, fileSize) {
  const ascii = (from, to) => String.fromCharCode(...head.subarray(from, to));
  const boxSize = head.length >= 8 ? new DataView(head.buffer, head.byteOffset).getUint32(0) : 0;
  if (MP4_BOXES.includes(ascii(4, 8)) && (boxSize <= 1 || (boxSize >= 8 && boxSize <= fileSize))) return true;
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return true;  // Matroska, WebM
  if (["RIFF", "RF64", "BW64", "OggS", "fLaC"].includes(ascii(0, 4))) return true;  // AVI, WAV, Ogg, FLAC
  if (["FLV", "ID3"].includes(ascii(0, 3))) return true;
  if ([0, 4].some((at) => [0, 1, 2].every((i) => head[at + i * (at ? 192 : 188)] === 0x47))) return true;  // MPEG-TS
  return head[0] === 0xff && (head[1] & 0xe0) === 0xe0;  // MP3 or AAC frames
}

/** What ``file``'s first bytes say it is: "text", "media" or "unknown". */
async function sniff(file) {
  const head = new Uint8Array(await file.slice(0, 4096).arrayBuffer());
  if (looksLikeText(head)) return "text";
  return looksLikeMedia(head, file.size) ? "media" : "unknown";
}

function refuseFile(form, message) {
  const info = form.querySelector("#file-info");
  form.dataset.refused = "true";
  info.textContent = message;
  info.classList.add("error");
  info.setAttribute("role", "alert");
  form.querySelector("[data-dropzone]").classList.add("has-error");
  form.querySelector("#submit-video").disabled = true;
  showCost(form);
}

// Each chosen file's reading is numbered, so a slow answer about an earlier file is ignored.
let reading = 0;

function readDuration(form, file) {
  fileSeconds = null;
  const mine = ++reading;
  const submit = form.querySelector("#submit-video");
  submit.disabled = true;  // until the browser has read the file
  const probe = document.createElement("video");
  probe.preload = "metadata";
  const url = URL.createObjectURL(file);
  probe.addEventListener("loadedmetadata", () => {
    URL.revokeObjectURL(url);
    if (mine !== reading) return;
    fileSeconds = Number.isFinite(probe.duration) ? probe.duration : null;
    submit.disabled = false;
    showCost(form);
  });
  probe.addEventListener("error", async () => {
    URL.revokeObjectURL(url);
    const kind = await sniff(file);
    if (mine !== reading) return;
    if (kind === "media") {
      submit.disabled = false;
      form.querySelector("#cost").textContent = "This browser cannot play this file, so its length is read " +
        "once it is uploaded; Clipsite checks the file then and charges from its length.";
      return;
    }
    refuseFile(form, kind === "text"
      ? `This browser cannot read “${file.name}” as a video: it is a text file. It was not uploaded; ` +
        "choose the video file itself."
      : `This browser cannot read “${file.name}” as a video or audio file, so it was not uploaded. ` +
        "Choose a video file, such as an MP4, MOV or WebM.");
  });
  probe.src = url;
}

function fileChosen(form) {
  const file = form.elements.file.files[0];
  const info = form.querySelector("#file-info");
  const submit = form.querySelector("#submit-video");
  const zone = form.querySelector("[data-dropzone]");
  reading++;
  delete form.dataset.refused;
  info.removeAttribute("role");
  submit.disabled = false;
  zone.classList.remove("has-error");
  if (!file) { info.textContent = ""; showCost(form); return; }
  const mb = file.size / 1024 / 1024;
  if (file.size > Number(form.dataset.maxBytes)) {
    info.textContent = `${file.name} is ${mb.toFixed(0)} MB; the ${form.dataset.plan} plan accepts uploads up to ${form.dataset.maxMb} MB.`;
    info.classList.add("error");
    zone.classList.add("has-error");
    submit.disabled = true;
    return;
  }
  info.classList.remove("error");
  info.textContent = `${file.name} · ${mb < 1 ? mb.toFixed(2) : mb.toFixed(0)} MB`;
  readDuration(form, file);
}

function urlTyped(form) {
  const hint = form.querySelector("#kind-hint");
  const value = form.elements.url.value.trim();
  // The server decides for real (yt-dlp's site list); this mirrors its common cases.
  if (!value) hint.textContent = "";
  else if (/\.(mp4|mov|m4v|webm|mkv|avi|mp3|m4a|wav|ogg)(\?|#|$)/i.test(value)) hint.textContent = "A direct media link: downloaded as it is.";
  else hint.textContent = "A video page: fetched from the site (YouTube and many others).";
}

document.addEventListener("change", (event) => {
  const form = event.target.form;
  if (!form || form.id !== "new-video-form") return;
  if (event.target.name === "file") fileChosen(form);
  if (["start", "end"].includes(event.target.name)) showCost(form);
});
document.addEventListener("input", (event) => {
  const form = event.target.form;
  if (form?.id === "new-video-form" && event.target.name === "url") urlTyped(form);
});

for (const type of ["dragenter", "dragover"]) {
  document.addEventListener(type, (event) => {
    const zone = event.target.closest?.("[data-dropzone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("dragging");
  });
}
document.addEventListener("dragleave", (event) => {
  event.target.closest?.("[data-dropzone]")?.classList.remove("dragging");
});
document.addEventListener("drop", (event) => {
  const zone = event.target.closest?.("[data-dropzone]");
  if (!zone) return;
  event.preventDefault();
  zone.classList.remove("dragging");
  const input = zone.querySelector("input[type=file]");
  input.files = event.dataTransfer.files;
  input.dispatchEvent(new Event("change", { bubbles: true }));
});

// Posting with XMLHttpRequest shows upload progress. The server speaks htmx's protocol:
// HX-Redirect to the new video, or the form again (422) with its errors.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id !== "new-video-form" || event.defaultPrevented) return;
  event.preventDefault();
  // A file the browser refused, or one it is still reading, is not sent.
  if (form.dataset.refused || form.querySelector("#submit-video").disabled) return;
  const submit = form.querySelector("#submit-video");
  const upload = form.querySelector("#upload");
  const bar = form.querySelector("#upload-progress");
  const percent = form.querySelector("#upload-percent");
  const hasFile = form.elements.file.files.length > 0;
  submit.disabled = true;
  submit.textContent = hasFile ? "Uploading…" : "Submitting…";
  upload.hidden = !hasFile;
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("HX-Request", "true");
  xhr.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    const value = Math.round((e.loaded / e.total) * 100);
    bar.value = value;
    percent.textContent = `${value}%`;
  });
  xhr.addEventListener("load", () => {
    const target = xhr.getResponseHeader("HX-Redirect");
    if (target) { window.location.assign(target); return; }
    if (xhr.status === 422) {
      const fresh = new DOMParser().parseFromString(xhr.responseText, "text/html").getElementById("new-video-form");
      // Keep the chosen file, so fixing an option does not mean choosing it again.
      fresh.elements.file.replaceWith(form.elements.file);
      form.replaceWith(fresh);
      htmx.process(fresh);
      if (hasFile) fileChosen(fresh);
      (fresh.querySelector("[role=alert]")?.closest(".field, .alert, .dropzone") || fresh).scrollIntoView({ block: "center" });
      return;
    }
    failed(`The server answered ${xhr.status}. Try again.`);
  });
  xhr.addEventListener("error", () => failed("The upload failed: check your connection and try again."));
  function failed(message) {
    submit.disabled = false;
    submit.textContent = "Find clips";
    upload.hidden = true;
    form.querySelector("#cost").textContent = message;
  }
  xhr.send(new FormData(form));
});

// ---- Video page: transcript times play the clip that covers them ----
let selectedClip = null;
document.addEventListener("focusin", (event) => {
  const card = event.target.closest?.("[data-clip]");
  if (card) selectedClip = card.id;
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-seek]");
  if (!button) return;
  const time = Number(button.dataset.seek);
  const cards = [...document.querySelectorAll("#clip-list [data-clip]")];
  const covers = (card) => Number(card.dataset.start) <= time && time < Number(card.dataset.end);
  const selected = cards.find((card) => card.id === selectedClip);
  const card = selected && covers(selected) ? selected : cards.find(covers);
  const note = document.getElementById("seek-note");
  const player = card?.querySelector("video");
  if (!player) {
    note.textContent = `${clock(time)} is not in any clip shown here.`;
    return;
  }
  selectedClip = card.id;
  note.textContent = `Playing ${clock(time)} in “${card.querySelector("h3").textContent}”.`;
  player.currentTime = time - Number(card.dataset.start);
  card.scrollIntoView({ behavior: "smooth", block: "nearest" });
  player.play().catch(() => {});
});

// ---- Clip editor: clicking a word sets start or end on its boundary ----
function markTrim(form) {
  const start = numberIn(form, "start"), end = numberIn(form, "end");
  for (const word of form.querySelectorAll(".word")) {
    word.classList.toggle("in", start !== null && end !== null && Number(word.dataset.start) >= start &&
      Number(word.dataset.start) < end);
  }
  const length = form.querySelector("[data-trim-length]");
  if (length && start !== null && end !== null) length.textContent = (end - start).toFixed(1);
}
document.addEventListener("click", (event) => {
  const word = event.target.closest(".word");
  if (!word) return;
  const form = word.form;
  const mode = form.querySelector("input[name=word-mode]:checked").value;
  form.elements[mode].value = mode === "start" ? word.dataset.start : word.dataset.end;
  // Setting the start usually comes before choosing the end.
  if (mode === "start") form.querySelector("input[name=word-mode][value=end]").checked = true;
  markTrim(form);
});
document.addEventListener("input", (event) => {
  if (["start", "end"].includes(event.target.name) && event.target.form?.querySelector("[data-trim]")) {
    markTrim(event.target.form);
  }
});

// ---- Clip editor: a speaker's bar selects that stretch and person for a pin ----
document.addEventListener("click", (event) => {
  const bar = event.target.closest("[data-pick]");
  if (!bar) return;
  const track = bar.closest("#speaker-track");
  track.querySelector("[name=pinStart]").value = bar.dataset.start;
  track.querySelector("[name=pinEnd]").value = bar.dataset.end;
  track.querySelector(`[name=pinSpeaker][value="${bar.dataset.speaker}"]`).checked = true;
  for (const other of track.querySelectorAll("[data-pick]")) other.classList.toggle("picked", other === bar);
  track.querySelector("[data-pick-note]").textContent =
    `Selected ${bar.dataset.start}–${bar.dataset.end} s. Choose Pin the crop to keep it on this speaker.`;
});
