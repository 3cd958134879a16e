/*
 * Jike CRM - page behaviours.
 *
 * Dependency-free and loaded as an external file (CSP: script-src 'self'),
 * so templates must never contain inline scripts or on* attributes.
 * Everything uses event delegation on document, which means it also works
 * for content swapped in later by htmx. Load it with:
 *   <script src="/static/app.js" defer></script>
 *
 * Behaviours:
 *   <form data-confirm="...">           confirm before submitting (also htmx)
 *   <button|a data-confirm="...">        confirm before the click takes effect
 *   <select data-autosubmit>             submit the enclosing form on change
 *   <meta name="csrf-token" content=...> sent as X-CSRF-Token on htmx requests
 *   <div data-swap-errors>               htmx swaps 422/409 answers into it too
 *   <button class="nav-toggle" aria-controls="nav" aria-expanded="false">
 *                                        toggles class "open" on #nav
 */
(function () {
  "use strict";

  // Runs before any listener on the target element (htmx listens on the
  // element itself), so stopping the event here also stops htmx.
  function cancel(evt) {
    evt.preventDefault();
    evt.stopImmediatePropagation();
  }

  // --- Confirmation on buttons and links --------------------------------
  document.addEventListener("click", function (evt) {
    if (!(evt.target instanceof Element)) return;
    var el = evt.target.closest("button[data-confirm], a[data-confirm], input[type=submit][data-confirm]");
    if (!el || el.disabled) return;
    if (!window.confirm(el.getAttribute("data-confirm"))) {
      cancel(evt);
    }
  }, true);

  // --- Confirmation on forms ----------------------------------------------
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    // The submit button already asked (click handler above): don't ask twice.
    var submitter = evt.submitter;
    if (submitter && submitter.hasAttribute("data-confirm")) return;
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      cancel(evt);
    }
  }, true);

  // --- Auto-submitting selects ------------------------------------------
  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (!(el instanceof HTMLSelectElement) || !el.hasAttribute("data-autosubmit")) return;
    var form = el.form;
    if (!form) return;
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(); // fires the submit event: confirm and htmx apply
    } else {
      form.submit();
    }
  });

  // --- CSRF token for htmx requests -------------------------------------
  document.addEventListener("htmx:configRequest", function (evt) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var token = meta && meta.getAttribute("content");
    if (token && evt.detail && evt.detail.headers) {
      evt.detail.headers["X-CSRF-Token"] = token;
    }
  });

  // --- Mobile navigation toggle -----------------------------------------
  function setNav(toggle, open) {
    var nav = document.getElementById(toggle.getAttribute("aria-controls") || "nav");
    if (!nav) return;
    nav.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  document.addEventListener("click", function (evt) {
    if (!(evt.target instanceof Element)) return;
    var toggle = evt.target.closest(".nav-toggle");
    if (!toggle) return;
    evt.preventDefault();
    setNav(toggle, toggle.getAttribute("aria-expanded") !== "true");
  });

  // Escape closes the open menu and returns focus to its toggle.
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    var toggle = document.querySelector('.nav-toggle[aria-expanded="true"]');
    if (!toggle) return;
    setNav(toggle, false);
    toggle.focus();
  });

  // A container marked data-swap-errors shows a 422 or 409 answer (the
  // same fragment with its errors) instead of htmx's default of ignoring
  // error responses: a refused move on the board says why.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var d = evt.detail;
    if (!d || !d.xhr || (d.xhr.status !== 422 && d.xhr.status !== 409)) return;
    if (d.target && d.target.closest && d.target.closest("[data-swap-errors]")) {
      d.shouldSwap = true;
      d.isError = false;
    }
  });

  // Board cards: the lost-reason select shows only when "lost" is the
  // target stage (the server still refuses a lost move without a reason).
  function syncLost(select) {
    var form = select.closest(".move-form");
    if (form) form.classList.toggle("is-lost", select.value === "lost");
  }
  document.addEventListener("change", function (evt) {
    if (evt.target instanceof HTMLSelectElement && evt.target.name === "stage") syncLost(evt.target);
  });
  // Tables become cards on a phone (app.css): each cell carries its
  // column's name in data-label, taken from the table's header, so a card
  // still says what each value is. Runs on load and after htmx swaps.
  function labelCells(root) {
    var tables = (root.querySelectorAll ? root : document).querySelectorAll("table.table");
    Array.prototype.forEach.call(tables, function (table) {
      var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!head) return;
      var names = [];
      Array.prototype.forEach.call(head.cells, function (th) {
        for (var i = 0; i < (th.colSpan || 1); i++) names.push(th.textContent.trim());
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (tr) {
          var col = 0;
          Array.prototype.forEach.call(tr.cells, function (cell) {
            var name = names[col];
            if (name && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", name);
            col += cell.colSpan || 1;
          });
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
  } else {
    labelCells(document);
  }
  document.addEventListener("htmx:afterSwap", function (evt) { labelCells(evt.target.parentNode || document); });
  // Target grids (data-grid-nav): the arrow keys move between the cells'
  // inputs, Enter goes down a row, so a chief rep fills the whole team's
  // month from the keyboard.
  document.addEventListener("keydown", function (evt) {
    var input = evt.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("cell")) return;
    var grid = input.closest("[data-grid-nav]");
    if (!grid) return;
    var td = input.closest("td"), tr = input.closest("tr");
    var col = Array.prototype.indexOf.call(tr.children, td);
    var rows = Array.prototype.slice.call(grid.querySelectorAll("tbody tr"));
    var r = rows.indexOf(tr), c = col;
    switch (evt.key) {
      case "ArrowUp": r--; break;
      case "ArrowDown": case "Enter": r++; break;
      case "ArrowLeft": if (input.selectionStart !== 0) return; c--; break;
      case "ArrowRight": if (input.selectionEnd !== input.value.length) return; c++; break;
      default: return;
    }
    if (r < 0 || r >= rows.length) { if (evt.key === "Enter") evt.preventDefault(); return; }
    var cell = rows[r].children[c];
    var next = cell && cell.querySelector("input.cell");
    if (!next) return;
    evt.preventDefault();
    next.focus();
    next.select();
  });
})();
