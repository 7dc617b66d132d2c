/* Tandem console: the only script the pages load (a strict CSP forbids inline code).
 * It refreshes server-rendered fragments (already escaped by the server) and ticks SLA clocks. */
(function () {
  'use strict';
  var every = (Number(document.body.dataset.refreshS) || 5) * 1000;
  var last = new WeakMap();

  function minutes(n) { return n < 60 ? n + ' min' : Math.floor(n / 60) + ' h ' + String(n % 60).padStart(2, '0') + ' min'; }

  function clocks() {
    document.querySelectorAll('[data-due]').forEach(function (el) {
      var left = Math.floor((Date.parse(el.dataset.due) - Date.now()) / 60000);
      el.textContent = left >= 0 ? 'due in ' + minutes(left) : 'overdue ' + minutes(-left);
      el.classList.toggle('overdue', left < 0);
    });
  }

  function refresh() {
    document.querySelectorAll('[data-refresh]').forEach(function (el) {
      // Never pull the rug from under an agent who is typing a flag or reading one open.
      if (el.contains(document.activeElement) || el.querySelector('details[open]')) return;
      fetch(el.dataset.refresh, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
        .then(function (r) { if (!r.ok || r.redirected) throw new Error('stale'); return r.text(); })
        .then(function (html) {
          if (last.get(el) === html) return;
          var atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          last.set(el, html);
          el.innerHTML = html;
          if (atBottom) el.scrollTop = el.scrollHeight;
          clocks();
        })
        .catch(function () { /* signed out or offline: the next tick tries again */ });
    });
  }

  document.addEventListener('submit', function (e) {
    var ask = e.target.dataset && e.target.dataset.confirm;
    if (ask && !window.confirm(ask)) e.preventDefault();
  });
  document.querySelectorAll('.transcript').forEach(function (t) { t.scrollTop = t.scrollHeight; });
  clocks();
  setInterval(clocks, 30000);
  setInterval(refresh, every);
})();
