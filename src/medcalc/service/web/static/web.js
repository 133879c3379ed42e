// The batch page's progress without reloading (the page reloads itself when JavaScript is
// off). The only script of the web page; no inline script anywhere (Content-Security-Policy).
"use strict";
(function () {
  var job = document.getElementById("job");
  if (!job || (job.dataset.state !== "queued" && job.dataset.state !== "running")) return;
  var bar = document.getElementById("job-progress");
  var count = document.getElementById("job-count");
  var stage = document.getElementById("job-stage");
  function poll() {
    fetch(job.dataset.status, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.state !== "queued" && s.state !== "running") { window.location.reload(); return; }
        if (s.total) { bar.max = s.total; bar.value = s.done || 0; }
        if (stage && s.stage && job.dataset["stage" + s.stage]) {
          stage.textContent = job.dataset["stage" + s.stage];
        }
        count.textContent = s.total ? Math.floor((100 * (s.done || 0)) / s.total) + "%" : "";
        window.setTimeout(poll, 300);
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }
  window.setTimeout(poll, 200);
})();
