// Progressive enhancement for /policies (the pages work without it):
// - on the edit page, a file chosen in "Read a file" is read here into the textarea,
//   which the form then sends (no upload: the server takes the text alone);
// - on a running what-if's page, the job's JSON is polled every second and its
//   <progress> updated; when the job has ended the page is loaded again (with its
//   result). Without JavaScript the page refreshes itself (<meta http-equiv=refresh>).
(function () {
  "use strict";

  function enableUpload() {
    var box = document.querySelector(".upload");
    var input = document.getElementById("upload");
    var text = document.getElementById("config-text");
    var status = document.getElementById("upload-status");
    if (!box || !input || !text || !window.FileReader) { return; }
    box.hidden = false;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) { return; }
      var reader = new FileReader();
      reader.onload = function () {
        text.value = String(reader.result);
        status.textContent = file.name + " ✓";
      };
      reader.onerror = function () { status.textContent = file.name + " ✗"; };
      reader.readAsText(file, "utf-8");
    });
  }

  function followJob() {
    var job = document.querySelector("[data-job]");
    if (!job || job.getAttribute("data-state") !== "running") { return; }
    var bar = document.getElementById("job-progress");
    var words = document.getElementById("job-progress-text");
    var url = "/api/v1/whatif/" + encodeURIComponent(job.getAttribute("data-job"));

    function look() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (found) {
          if (!found) { setTimeout(look, 2000); return; }
          if (found.state !== "running") { window.location.reload(); return; }
          var total = found.progress.total;
          if (total) {
            bar.max = total;
            bar.value = found.progress.done;
            var number = new Intl.NumberFormat(document.documentElement.lang || "en");
            words.textContent = (words.getAttribute("data-template") || "{done} / {total}")
              .replace("{done}", number.format(found.progress.done))
              .replace("{total}", number.format(total));
          }
          setTimeout(look, 1000);
        })
        .catch(function () { setTimeout(look, 2000); });
    }
    setTimeout(look, 500);
  }

  enableUpload();
  followJob();
})();
