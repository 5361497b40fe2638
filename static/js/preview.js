// The clip editor's live preview (templates/clips/_preview.html, data from clips/preview.py).
// It plays the source in a box of the chosen aspect ratio, cropped where the last render put
// its window, and draws the captions, hook card and trim from the form's current values, so
// every change shows at once; only "Re-render clip" asks the server for a render. The caption
// look is pipeline.captions.template_style (what the render's ASS file says) scaled to the box.
(() => {
  // htmx runs this file again when it swaps the editor in: the second run only sets up the new preview.
  if (window.clipPreview) {
    window.clipPreview.scan(document);
    return;
  }
  // The tallest the box gets, in CSS pixels; a phone's width limits it further.
  const MAX_HEIGHT = 460;

  function scan(root) {
    for (const el of root.querySelectorAll("[data-clip-preview]")) {
      if (!el.__preview && el.querySelector("[data-video]")) el.__preview = setup(el);
    }
  }

  function setup(el) {
    const data = JSON.parse(el.querySelector("script[type='application/json']").textContent);
    const form = el.closest("#clip-editor")?.querySelector("form.editor-form");
    const video = el.querySelector("[data-video]");
    const box = el.querySelector("[data-box]");
    const caption = el.querySelector("[data-caption]");
    const hook = el.querySelector("[data-hook]");
    const scrub = el.querySelector("[data-scrub]");
    const clock = el.querySelector("[data-time]");
    const play = el.querySelector("[data-play]");
    const media = { ...data.media };
    const trim = { start: null, end: null };
    let drawn = "";

    // The form's values, with the clip's own where a field is missing or not a number.
    function options() {
      const field = (name) => form?.elements[name];
      const number = (name, fallback) => {
        const value = parseFloat(field(name)?.value);
        return Number.isFinite(value) ? value : fallback;
      };
      let start = Math.max(0, number("start", data.clip.start));
      let end = Math.min(data.clip.duration, number("end", data.clip.end));
      if (media.kind === "clip") {
        // The rendered clip holds only its old span.
        start = Math.max(start, data.clip.start);
        end = Math.min(end, data.clip.end);
      }
      if (end <= start) end = Math.min(start + 0.1, data.clip.duration);
      const [w, h] = (field("aspectRatio")?.value || "9:16").split(":").map(Number);
      const kit = field("brandKit")?.value ?? "";
      const template = field("captionTemplate")?.value || Object.keys(data.chunks)[0];
      const styles = data.styles[kit] || data.styles[""];
      return {
        start, end, template, aspect: w / h, style: styles[template] || Object.values(styles)[0],
        captions: field("enableCaptions") ? field("enableCaptions").checked : true,
        layout: field("layout")?.value || "auto",
        hook: field("enableAutoHook")?.checked ? (field("hookText")?.value || "").trim() : "",
      };
    }

    const sourceTime = () => video.currentTime + media.offset;
    const seek = (t) => { video.currentTime = Math.max(0, t - media.offset); };

    // The box at the aspect ratio, as large as the column and MAX_HEIGHT allow.
    function size(opts) {
      const width = Math.min(el.querySelector("[data-stage]").clientWidth, MAX_HEIGHT * opts.aspect);
      box.style.width = `${Math.round(width)}px`;
      box.style.height = `${Math.round(width / opts.aspect)}px`;
    }

    // The crop window at clip time ``t``: object-fit and the centre as a share of the source's width.
    function frame(opts, t) {
      let x = 0.5, layout = opts.layout;
      if (media.kind === "source") {
        const since = t - data.clip.start;
        const span = data.crop.find(([s, e]) => s <= since && since < e);
        if (span && span[2] !== null) x = span[2];
        if (layout === "auto" && span) layout = span[3];
      }
      const fit = media.kind === "source" && (layout === "fit" || layout === "scale");
      video.style.objectFit = fit ? "contain" : "cover";
      const sourceAspect = video.videoWidth / video.videoHeight || 16 / 9;
      const share = opts.aspect / sourceAspect;  // the window's width as a share of the source's
      const position = share < 1 ? Math.min(1, Math.max(0, (x - share / 2) / (1 - share))) : 0.5;
      video.style.objectPosition = `${(position * 100).toFixed(2)}% 50%`;
    }

    function rgba(hex, alpha) {
      const n = parseInt(hex.slice(1), 16);
      return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${(1 - alpha).toFixed(3)})`;
    }

    // One ASS style (template_style's ``caption`` or ``hook``) as CSS on ``target``, scaled to the box.
    function paint(target, look, opts) {
      const ky = box.clientHeight / opts.style.height, kx = box.clientWidth / opts.style.width;
      const s = target.style;
      s.fontFamily = `"${look.font}", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif`;
      s.fontWeight = / Black$/.test(look.font) ? "900" : look.bold ? "700" : "400";
      s.fontSize = `${(look.size * ky).toFixed(2)}px`;
      s.color = look.primary;
      s.left = `${(look.marginL * kx).toFixed(1)}px`;
      s.right = `${(look.marginR * kx).toFixed(1)}px`;
      s.top = look.alignment >= 7 ? `${(look.marginV * ky).toFixed(1)}px` : "auto";
      s.bottom = look.alignment <= 3 ? `${(look.marginV * ky).toFixed(1)}px` : "auto";
      const inner = target.firstElementChild || target;
      const outline = look.outline * ky, shadow = look.shadow * ky;
      // An outline is drawn around the glyphs (ASS BorderStyle 1); a box is drawn behind them (3).
      inner.style.webkitTextStroke = look.box ? "0" : `${(2 * outline).toFixed(2)}px ${look.outlineColour}`;
      inner.style.background = look.box ? look.outlineColour : "none";
      inner.style.padding = look.box ? `0 ${outline.toFixed(1)}px` : "0";
      const offset = `${shadow.toFixed(1)}px`;
      inner.style.textShadow = shadow ? `${offset} ${offset} 0 ${rgba(look.back, look.backAlpha)}` : "none";
    }

    // The caption chunk shown at source time ``t``, as its words' HTML.
    function captionHtml(opts, t) {
      if (!opts.captions) return "";
      const inside = (i) => data.words[i][2] > opts.start && data.words[i][1] < opts.end;
      const chunk = data.chunks[opts.template].find(
        (c) => Math.max(c.start, opts.start) <= t && t < Math.min(c.end, opts.end) && c.words.some(inside));
      if (!chunk) return "";
      const look = opts.style;
      const spoken = chunk.words.filter((i) => data.words[i][1] <= t).length - 1;
      const parts = chunk.words.map((i, j) => {
        const [text, start, , emphasis, emoji] = data.words[i];
        if (!inside(i)) return null;
        let colour = emphasis ? look.emphasis : "";
        if (look.mode === "highlight" && j === Math.max(0, spoken)) colour = look.highlight;
        if (look.mode === "karaoke") {
          // Spoken words are filled (the primary colour), the rest wait in the secondary one.
          colour = start > t ? look.caption.secondary : emphasis ? look.emphasis : look.caption.primary;
        }
        const word = escape(look.uppercase ? text.toUpperCase() : text);
        const shown = colour ? `<span class="w" style="color:${colour}">${word}</span>` : word;
        return emoji ? `${shown} ${escape(emoji)}` : shown;
      });
      const line = (list) => list.filter((p) => p !== null).join(" ");
      if (!chunk.split) return line(parts);
      return `${line(parts.slice(0, chunk.split))}<br>${line(parts.slice(chunk.split))}`;
    }

    function escape(text) {
      return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
    }

    function draw() {
      const opts = options();
      // A new start is shown from its first frame, a new end from just before it.
      if (opts.start !== trim.start) seek(opts.start);
      else if (opts.end !== trim.end) seek(Math.max(opts.start, opts.end - 1.5));
      Object.assign(trim, { start: opts.start, end: opts.end });
      let t = sourceTime();
      // Playback stays inside the trim: before it jumps to its start, past it loops.
      if (t < opts.start - 0.05 || t >= opts.end) {
        seek(opts.start);
        t = opts.start;
      }
      el.dataset.start = opts.start.toFixed(2);
      el.dataset.end = opts.end.toFixed(2);
      el.dataset.template = opts.template;
      size(opts);
      frame(opts, t);
      const html = captionHtml(opts, t);
      const key = `${html}|${opts.template}|${JSON.stringify(opts.style.caption)}|${box.clientHeight}`;
      if (key !== drawn) {
        caption.innerHTML = `<span class="line">${html}</span>`;
        paint(caption, opts.style.caption, opts);
        caption.hidden = !html;
        drawn = key;
      }
      const into = t - opts.start;
      const showHook = opts.hook && into < Math.min(opts.style.hookSeconds, opts.end - opts.start);
      hook.hidden = !showHook;
      if (showHook) {
        hook.firstElementChild.textContent = opts.hook;
        paint(hook, opts.style.hook, opts);
        const [fadeIn, fadeOut] = opts.style.hookFadeMs.map((ms) => ms / 1000);
        const left = Math.min(opts.style.hookSeconds, opts.end - opts.start) - into;
        hook.style.opacity = Math.min(1, into / fadeIn, left / fadeOut).toFixed(2);
      }
      scrub.max = (opts.end - opts.start).toFixed(2);
      scrub.value = into.toFixed(2);
      clock.textContent = `${into.toFixed(1)} / ${(opts.end - opts.start).toFixed(1)} s`;
    }

    function loop() {
      draw();
      if (!video.paused) requestAnimationFrame(loop);
    }

    video.addEventListener("loadedmetadata", draw);
    video.addEventListener("seeked", draw);
    video.addEventListener("timeupdate", draw);
    const pressed = (playing) => {
      play.textContent = playing ? "Pause" : "Play";
      play.setAttribute("aria-pressed", String(playing));
    };
    video.addEventListener("play", () => { pressed(true); loop(); });
    video.addEventListener("pause", () => pressed(false));
    video.addEventListener("error", () => {
      // A source the browser cannot decode: the rendered clip, which it can, stands in.
      if (media.kind !== "source" || !media.fallback) return;
      Object.assign(media, { kind: "clip", url: media.fallback, offset: data.clip.start, fallback: "" });
      video.src = media.url;
      el.querySelector("[data-note]").textContent = "This browser cannot play the source, so this plays the " +
        "rendered clip, with its burned-in captions under the preview's.";
    });
    play.addEventListener("click", () => (video.paused ? video.play().catch(() => {}) : video.pause()));
    scrub.addEventListener("input", () => seek(options().start + Number(scrub.value)));
    form?.addEventListener("input", draw);
    form?.addEventListener("change", draw);
    // Clicking a word in the strip sets start or end without an input event (static/js/dashboard.js).
    form?.addEventListener("click", (event) => { if (event.target.closest(".word")) setTimeout(draw, 0); });
    new ResizeObserver(draw).observe(el);
    draw();
    return { draw };
  }

  window.clipPreview = { scan };
  scan(document);
  document.addEventListener("htmx:load", (event) => scan(event.target.parentElement || document));
})();
