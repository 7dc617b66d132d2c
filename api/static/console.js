/* Tandem console: the only script the pages load (a strict CSP forbids inline code).
 * It refreshes server-rendered fragments (already escaped by the server) when the console's
 * event stream (/console/events) says something changed, polls only while that stream is
 * down, announces new handoffs (a count in the tab's title and a short tone), and ticks SLA
 * clocks. */
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

  // Never pull the rug from under an agent who is typing a flag or reading one open.
  function busy(el) { return el.contains(document.activeElement) || el.querySelector('details[open]'); }

  function refresh() {
    document.querySelectorAll('[data-refresh]').forEach(function (el) {
      if (busy(el)) return;
      fetch(el.dataset.refresh, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
        .then(function (r) { if (!r.ok || r.redirected) throw new Error('stale'); return r.text(); })
        .then(function (html) {
          // Asked again on arrival: an agent may have opened a form while it was fetched.
          if (last.get(el) === html || busy(el)) return;
          var atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          last.set(el, html);
          el.innerHTML = html;
          if (atBottom) el.scrollTop = el.scrollHeight;
          clocks();
        })
        .catch(function () { /* signed out or offline: the next tick tries again */ });
    });
  }

  // ---- push: the console's event stream ----
  var live = false, unseen = 0, audio = null, baseTitle = document.title;

  function tone() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.4);
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.4);
    } catch (err) { /* no audio (or not allowed before a click): the badge still shows */ }
  }

  function badge() {
    document.title = unseen ? '(' + unseen + ') ' + baseTitle : baseTitle;
    document.querySelectorAll('[data-new-handoffs]').forEach(function (el) {
      el.textContent = unseen ? unseen + ' new' : '';
      el.hidden = !unseen;
    });
  }

  function connect() {
    if (!window.EventSource) return;
    // EventSource reconnects by itself and sends Last-Event-ID: nothing is missed.
    var stream = new EventSource('/console/events');
    stream.onopen = function () { live = true; refresh(); };
    stream.onerror = function () { live = false; };  // polling stands in meanwhile
    stream.addEventListener('queue', function (e) {
      var data = {};
      try { data = JSON.parse(e.data); } catch (err) { /* keep the refresh */ }
      if (data.status === 'open') {
        unseen += 1;
        badge();
        tone();
      }
      refresh();
    });
    stream.addEventListener('message', function () { refresh(); });
  }

  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) { unseen = 0; badge(); }
  });
  document.addEventListener('click', function () {
    if (!audio && (window.AudioContext || window.webkitAudioContext)) {
      try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (err) { /* none */ }
    }
  }, { once: true });

  document.addEventListener('submit', function (e) {
    var ask = e.target.dataset && e.target.dataset.confirm;
    if (ask && !window.confirm(ask)) e.preventDefault();
  });
  document.querySelectorAll('.transcript').forEach(function (t) { t.scrollTop = t.scrollHeight; });
  clocks();
  setInterval(clocks, 30000);
  setInterval(function () { if (!live) refresh(); }, every);
  if (document.body.dataset.live !== 'off') connect();
})();
