// ferret HTML report: filter and sort the tables in the page. No network, no framework.
// A filter can be given in the address (#filter=aws or ?filter=aws), so a link (or a headless
// browser's DOM dump) shows the filtered view.
(function () {
  "use strict";
  var input = document.getElementById("filter");
  var status = document.getElementById("filter-status");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-filterable]"));

  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      row.hidden = !match;
      if (match && row.closest("#inventory")) { shown += 1; }
    });
    var total = document.querySelectorAll("#inventory tbody tr").length;
    status.textContent = shown + " of " + total + " secrets shown";
  }

  function fromAddress() {
    var pattern = /(?:^|[#?&])filter=([^&]*)/;
    var found = pattern.exec(window.location.hash) || pattern.exec(window.location.search);
    if (!found) { return ""; }
    try { return decodeURIComponent(found[1].replace(/\+/g, " ")); } catch (e) { return ""; }
  }

  function sortBy(th) {
    var table = th.closest("table");
    var body = table.tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.children, function (other) {
      if (other.hasAttribute("aria-sort")) { other.setAttribute("aria-sort", "none"); }
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var key = function (row) {
      var cell = row.children[index];
      return cell ? (cell.getAttribute("data-sort") || cell.textContent.trim()) : "";
    };
    var sorted = Array.prototype.slice.call(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b);
      var nx = Number(x), ny = Number(y);
      var order = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return ascending ? order : -order;
    });
    sorted.forEach(function (row) { body.appendChild(row); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("th[aria-sort] button"), function (button) {
    button.addEventListener("click", function () { sortBy(button.parentNode); });
  });
  input.addEventListener("input", apply);
  input.value = fromAddress();
  apply();
  document.body.setAttribute("data-ready", "true");
})();
