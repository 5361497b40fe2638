// The brand kit form's live preview: every change to a field redraws the kit's swatch
// (the CSS variables _swatch.html sets), and each slider shows its value.
(function () {
  "use strict";
  const VARS = {
    textColor: "--kit-text", highlightColor: "--kit-highlight", outlineColor: "--kit-outline",
    outlineWidth: "--kit-outline-width", shadow: "--kit-shadow", size: "--kit-size", position: "--kit-position",
    logoSize: "--kit-logo-size", logoOpacity: "--kit-logo-opacity",
  };

  function paint(form, swatch) {
    const fields = form.elements;
    for (const [name, variable] of Object.entries(VARS)) {
      if (fields[name] && fields[name].value !== "") swatch.style.setProperty(variable, fields[name].value);
    }
    swatch.style.fontFamily = fields.font && fields.font.value ? `"${fields.font.value}", sans-serif` : "";
    const logo = swatch.querySelector(".kit-swatch-logo");
    const corner = form.querySelector('input[name="logoCorner"]:checked');
    if (corner) logo.dataset.corner = corner.value;
    if (fields.removeLogo) logo.hidden = fields.removeLogo.checked || !logo.getAttribute("src");
    for (const output of form.querySelectorAll("output[data-range-value]")) {
      const input = document.getElementById(output.dataset.rangeValue);
      if (input) output.value = input.value;
    }
  }

  function showChosenLogo(input, swatch) {
    // The chosen file is shown from the browser's own copy; the server stores only its re-encoded PNG.
    const file = input.files && input.files[0];
    const logo = swatch.querySelector(".kit-swatch-logo");
    if (!file || !file.type.startsWith("image/")) return;
    if (logo.dataset.objectUrl) URL.revokeObjectURL(logo.dataset.objectUrl);
    logo.dataset.objectUrl = URL.createObjectURL(file);
    logo.src = logo.dataset.objectUrl;
    logo.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    for (const form of document.querySelectorAll("form[data-kit-form]")) {
      const swatch = document.getElementById(form.dataset.kitForm);
      if (!swatch) continue;
      form.addEventListener("input", () => paint(form, swatch));
      form.addEventListener("change", (event) => {
        if (event.target.name === "logo") showChosenLogo(event.target, swatch);
        paint(form, swatch);
      });
      paint(form, swatch);
    }
  });
})();
