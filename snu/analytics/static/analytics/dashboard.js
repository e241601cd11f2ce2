// Progressive enhancement: draw each panel's Vega-Lite spec over its server-rendered SVG.
// Runs under `script-src 'self'`: specs come from JSON data blocks, and `ast: true` makes Vega use
// its expression interpreter instead of eval. Bars link to the allocations behind them (href channel).
(function () {
  "use strict";
  if (typeof vegaEmbed === "undefined") { return; }
  var loader = vega.loader({ target: "_self" });
  // nb-NO numbers on axes: decimal comma, no-break space between thousands.
  var formatLocale = { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", "\u00a0kr"] };
  document.querySelectorAll("[data-vl-spec]").forEach(function (figure) {
    var block = document.getElementById(figure.getAttribute("data-vl-spec"));
    var target = figure.querySelector(".snu-chart__vega");
    if (!block || !target) { return; }
    var spec;
    try { spec = JSON.parse(block.textContent); } catch (e) { return; }
    vegaEmbed(target, spec, { renderer: "svg", actions: false, ast: true, loader: loader, tooltip: true, formatLocale: formatLocale })
      .then(function () { figure.classList.add("snu-chart--enhanced"); })
      .catch(function (err) { if (window.console) { console.warn("chart fell back to SVG", err); } });
  });
})();
