/*! Tandem chat widget — plain JavaScript, no dependencies, no build step.
 * Embed: <script src="https://HOST/widget.js" data-tandem-key="..." async></script>
 * Optional data-title, data-greeting, data-color (#rgb/#rrggbb), data-position (right|left), data-locale.
 * Everything the server or shopper sends is inserted with textContent, never as markup. */
(function () {
  'use strict';
  var W = window, D = document;
  if (W.Tandem || W.__tandemLoading) return; // embedded twice: keep the first
  W.__tandemLoading = 1;
  // Captured now: document.currentScript is only set while this file first runs.
  var me = D.currentScript || [].slice.call(D.querySelectorAll('script[src]')).filter(function (s) {
    return /widget\.js([?#]|$)/.test(s.src);
  }).pop();
  if (!W.fetch || !W.Promise) return;
  (function main() {
    const cfg = (me && me.dataset) || {};
    const BASE = me && me.src ? new URL(me.src, location.href).origin : location.origin;
    const KEY = cfg.tandemKey || '';
    const TITLE = cfg.title || 'Ridgeline help';
    const GREET = cfg.greeting || 'Hi! I can help you find gear, pick a size or check an order.';
    const COLOR = /^#([0-9a-f]{3}){1,2}$/i.test(cfg.color || '') ? cfg.color : '#1f5f4a';
    const LEFT = cfg.position === 'left';
    const LOCALE = cfg.locale || navigator.language || 'en-US';
    const CK = 'tandem:conversation', QK = 'tandem:outbox', HUMAN = "I'd like to talk to a person";

    // ---------- storage (private mode / blocked storage must not break the widget) ----------
    function load(k, d, s) { try { const v = (s || localStorage).getItem(k); return v ? JSON.parse(v) : d; } catch (e) { return d; } }
    function save(k, v, s) { try { s = s || localStorage; v == null ? s.removeItem(k) : s.setItem(k, JSON.stringify(v)); } catch (e) { /* ignore */ } }

    // Text colour on the accent: white unless that would fall under 4.5:1 contrast.
    function lum(hex) {
      let x = hex.slice(1); if (x.length == 3) x = x.replace(/./g, '$&$&');
      return [0, 2, 4].reduce(function (s, i, k) {
        let c = parseInt(x.substr(i, 2), 16) / 255;
        c = c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
        return s + c * [0.2126, 0.7152, 0.0722][k];
      }, 0);
    }
    const INK = 1.05 / (lum(COLOR) + 0.05) >= 4.5 ? '#fff' : '#111';

    function h(tag, attrs, kids) {
      const el = D.createElement(tag);
      for (const k in attrs || {}) {
        const v = attrs[k];
        if (v == null || v === false) continue;
        if (k == 'text') el.textContent = v;
        else if (k.slice(0, 2) == 'on') el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? '' : v);
      }
      (kids || []).forEach(function (c) { c && el.append(c); });
      return el;
    }
    function uuid() {
      try { return crypto.randomUUID(); } catch (e) { /* insecure context or old browser */ }
      const b = new Uint8Array(16);
      try { crypto.getRandomValues(b); } catch (e) { b.forEach(function (_, i) { b[i] = Math.random() * 256; }); }
      b[6] = b[6] & 15 | 64; b[8] = b[8] & 63 | 128;
      const x = [].map.call(b, function (n) { return (n + 256).toString(16).slice(1); }).join('');
      return [x.slice(0, 8), x.slice(8, 12), x.slice(12, 16), x.slice(16, 20), x.slice(20)].join('-');
    }
    function money(v, cur) {
      try { return new Intl.NumberFormat(LOCALE, { style: 'currency', currency: cur || 'USD' }).format(v); }
      catch (e) { return (cur || '') + ' ' + v; }
    }
    const sleep = function (ms) { return new Promise(function (r) { setTimeout(r, ms); }); };

    // ---------- state ----------
    let conv = load(CK, null);
    // A token past its end (its lifetime, or the sign-in it was bound to) opens nothing: forget it.
    if (!conv || !conv.id || !conv.token || (conv.exp && Date.parse(conv.exp) <= Date.now())) { conv = null; save(CK, null); }
    let mode = 'assistant', agent = '', joined = '', lastId = 0, seen = {}, pend = [], byId = {}, busy = {};
    let pref = true, isOpen = false, loaded = false, pollT = 0, creating = null, noteT = 0;
    let ctHo = null, ctEmail = '', editing = 0;
    let chain = Promise.resolve();
    const later = function (f) { return (chain = chain.then(f).catch(function () { /* keep the chain alive */ })); };

    // ---------- HTTP ----------
    function api(method, path, body, accept) {
      const hd = { Accept: accept || 'application/json' };
      if (conv) hd.Authorization = 'Bearer ' + conv.token;
      if (KEY) hd['X-Tandem-Key'] = KEY;
      if (body !== undefined) hd['Content-Type'] = 'application/json';
      return fetch(BASE + path, { method: method, headers: hd, credentials: 'omit', body: body === undefined ? undefined : JSON.stringify(body) });
    }
    async function detail(r) {
      let d; try { d = (await r.json()).detail; } catch (e) { /* not JSON */ }
      if (Array.isArray(d)) d = d[0] && d[0].msg;
      return typeof d == 'string' && d ? d : 'Something went wrong (' + r.status + '). Please try again.';
    }
    async function call(method, path, body) {
      const c = conv, r = await api(method, path, body);
      if (!r.ok) {
        const e = new Error(await detail(r)); e.st = r.status;
        if (c && c === conv && (r.status == 401 || r.status == 404)) drop();
        throw e;
      }
      return r.status == 204 ? null : r.json().catch(function () { return null; });
    }
    const errText = function (e) { return e && e.st ? e.message : 'You seem to be offline. Please try again.'; };
    const cp = function (s) { return '/v1/conversations/' + encodeURIComponent(conv.id) + (s || ''); };
    function drop() { conv = null; save(CK, null); lastId = 0; seen = {}; joined = agent = ''; setMode('assistant'); }
    function ensure() {
      if (conv) return Promise.resolve(conv);
      return creating || (creating = call('POST', '/v1/conversations', { personalization: pref }).then(function (d) {
        conv = { id: d.id, token: d.token, exp: d.expires_at || null }; save(CK, conv); loaded = true; return conv;
      }).finally(function () { creating = null; }));
    }

    // ---------- DOM ----------
    const host = h('div', { id: 'tandem-widget' });
    const root = host.attachShadow({ mode: 'open' });
    const icon = function (d) {
      const s = D.createElementNS('http://www.w3.org/2000/svg', 'svg'), p = D.createElementNS(s.namespaceURI, 'path');
      s.setAttribute('viewBox', '0 0 24 24'); s.setAttribute('width', '20'); s.setAttribute('height', '20'); s.setAttribute('aria-hidden', 'true');
      p.setAttribute('d', d); p.setAttribute('fill', 'none'); p.setAttribute('stroke', 'currentColor'); p.setAttribute('stroke-width', '2'); p.setAttribute('stroke-linecap', 'round');
      s.append(p); return s;
    };
    const style = h('style', { text: [
      ':host{all:initial}',
      '.w{--a:' + COLOR + ';--i:' + INK + ';position:fixed;bottom:20px;' + (LEFT ? 'left' : 'right') + ':20px;z-index:2147483000;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;text-align:left}',
      '*{box-sizing:border-box}[hidden]{display:none!important}.p>*{flex-shrink:0}.p>.log{flex:1 1 0;min-height:80px}',
      'button,textarea{font:inherit;color:inherit}button{cursor:pointer}button:disabled{cursor:not-allowed;opacity:.6}',
      ':focus-visible{outline:3px solid #111;outline-offset:2px;box-shadow:0 0 0 5px #fff}',
      '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
      '.la{display:block;background:var(--a);color:var(--i);border:0;border-radius:99px;padding:12px 20px;font-weight:600;box-shadow:0 4px 14px rgba(0,0,0,.25)}',
      '.p{position:absolute;bottom:64px;' + (LEFT ? 'left' : 'right') + ':0;width:380px;max-width:calc(100vw - 40px);height:580px;max-height:calc(100vh - 110px);background:#fff;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.3);display:flex;flex-direction:column;overflow:hidden;animation:up .18s ease-out}',
      '@keyframes up{from{opacity:0;transform:translateY(12px)}}',
      '.hd{background:var(--a);color:var(--i);display:flex;align-items:center;gap:2px;padding:8px 8px 8px 16px}',
      '.hd h2{margin:0;font-size:16px;font-weight:650;flex:1}',
      '.ib{background:none;border:0;width:36px;height:36px;border-radius:8px;display:grid;place-items:center;font-size:22px;line-height:1}.ib:hover{background:rgba(127,127,127,.25)}',
      '.st{padding:12px 16px;border-bottom:1px solid #ddd;background:#f7f7f7;display:grid;gap:8px;font-size:14px}',
      '.sw{display:flex;align-items:center;gap:8px;font-weight:600}.sw input{width:18px;height:18px;accent-color:var(--a);margin:0}',
      '.lk{background:none;border:0;padding:0;text-decoration:underline;color:#1a1a1a;justify-self:start}',
      '.log{overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:10px}',
      '.m{max-width:85%;padding:9px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}',
      '.m-shopper{align-self:flex-end;background:var(--a);color:var(--i);border-bottom-right-radius:4px}',
      '.m-assistant,.m-agent{align-self:flex-start;background:#eef1f0;border-bottom-left-radius:4px}.m-agent{background:#fdf1dc}',
      '.m-system{align-self:center;color:#4a4a4a;font-size:13px;padding:2px 8px;text-align:center}',
      '.who{font-size:12px;font-weight:700;color:#4a4a4a}.q{font-size:12px;font-style:italic;margin-top:2px}',
      '.cs{display:grid;gap:8px}',
      '.c{display:grid;grid-template-columns:56px 1fr;gap:10px;border:1px solid #d0d0d0;border-radius:12px;padding:10px;background:#fff}',
      '.im{width:56px;height:56px;border-radius:8px;display:grid;place-items:center;color:#fff;font-weight:700;font-size:18px}',
      '.nm,.pr{font-weight:600}.mt,.why{font-size:13px;color:#4a4a4a}.why{margin:4px 0}',
      '.bd{display:inline-block;font-size:12px;padding:1px 8px;border-radius:99px;background:#e3f1e7;color:#14532d}.bd.no{background:#fbe9e7;color:#8a1c12}',
      '.add{display:block;margin-top:6px;background:var(--a);color:var(--i);border:0;border-radius:8px;padding:6px 12px;font-weight:600}',
      '.ty{display:inline-flex;gap:4px;padding:4px 0}.ty i{width:7px;height:7px;border-radius:50%;background:#555;animation:b 1s infinite}',
      '.ty i:nth-child(2){animation-delay:.15s}.ty i:nth-child(3){animation-delay:.3s}@keyframes b{50%{opacity:.25;transform:translateY(-3px)}}',
      '.nt{margin:0 12px 8px;padding:8px 12px;border-radius:10px;background:#eaf1fb;color:#1b3a6b;font-size:14px}',
      '.hb{margin:0 12px 8px;align-self:flex-start;background:#fff;border:1px solid #6b6b6b;border-radius:99px;padding:5px 14px;font-size:14px}',
      'form{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #ddd}',
      'textarea{flex:1;resize:none;border:1px solid #767676;border-radius:10px;padding:8px 10px;height:42px;max-height:120px;background:#fff}',
      '.sd{background:var(--a);color:var(--i);border:0;border-radius:10px;padding:0 16px;font-weight:600}',
      '.er{margin:0 12px 10px;color:#a00d0d;font-size:13px}',
      '.ct{display:grid;gap:6px;margin:0 12px 8px;padding:10px 12px;border:1px solid #d0d0d0;border-radius:10px;background:#f7f7f7;font-size:14px}',
      '.ct p,.ct .er{margin:0}.ct label{font-weight:600}.cr{display:flex;gap:8px}',
      '.ct input{flex:1;min-width:0;font:inherit;border:1px solid #767676;border-radius:10px;padding:8px 10px;background:#fff}.ct .sd{padding:8px 12px}',
      '@media (max-width:479px){.w.o .p{position:fixed;inset:0;width:auto;height:auto;max-width:none;max-height:none;border-radius:0}.w.o .la{display:none}}',
      '@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}'
    ].join('') });

    const la = h('button', { type: 'button', class: 'la', 'aria-expanded': 'false', 'aria-controls': 'tp', 'data-testid': 'launcher', text: 'Chat with us', onclick: function () { isOpen ? close() : open(); } });
    const tog = h('input', { type: 'checkbox', role: 'switch', checked: true, 'data-testid': 'personalization-toggle', onchange: privacy });
    const stat = h('p', { role: 'status', class: 'mt', style: 'margin:0' });
    const st = h('div', { class: 'st', id: 'ts', hidden: true }, [
      h('label', { class: 'sw' }, [tog, 'Personalised suggestions']),
      h('p', { class: 'mt', style: 'margin:0', text: 'Use what you tell us in this chat (sizes, preferences) to tailor suggestions.' }),
      h('button', { type: 'button', class: 'lk', text: 'Export my data', 'data-testid': 'export-data', onclick: exportData }),
      h('button', { type: 'button', class: 'lk', text: 'Delete my data', 'data-testid': 'delete-data', onclick: deleteData }),
      stat]);
    const gear = h('button', { type: 'button', class: 'ib', 'aria-label': 'Settings', 'aria-expanded': 'false', 'aria-controls': 'ts', 'data-testid': 'settings', onclick: function () {
      st.hidden = !st.hidden; gear.setAttribute('aria-expanded', String(!st.hidden)); if (!st.hidden) tog.focus();
    } }, [icon('M4 7h10M18 7h2M4 17h2M10 17h10M16 5v4M8 15v4')]);
    const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation', tabindex: '0' });
    const notice = h('div', { class: 'nt', role: 'status', 'data-testid': 'handoff-notice', hidden: true });
    const hb = h('button', { type: 'button', class: 'hb', 'data-testid': 'human-button', hidden: true, text: 'Talk to a person', onclick: function () { send(HUMAN); } });
    // Out of hours: the shopper may leave an email on the handoff (POST .../contact).
    const ctIn = h('input', { id: 'tce', type: 'email', autocomplete: 'email', 'aria-describedby': 'tcx', 'data-testid': 'contact-email' });
    const ctErr = h('p', { class: 'er', id: 'tcx', role: 'alert', 'data-testid': 'contact-error', hidden: true });
    const ctBtn = h('button', { type: 'submit', class: 'sd', 'data-testid': 'contact-send', text: 'Leave email' });
    // novalidate: the server's own message is shown, the same in every browser.
    const ct = h('form', { class: 'ct', novalidate: true, 'aria-labelledby': 'tch', 'data-testid': 'contact-form', hidden: true, onsubmit: contact }, [
      h('p', { id: 'tch', text: 'Nobody can answer right now. Leave your email and we’ll write back.' }),
      h('label', { for: 'tce', text: 'Your email' }), h('div', { class: 'cr' }, [ctIn, ctBtn]), ctErr]);
    const ctTx = h('span');
    const ctOk = h('p', { class: 'nt', role: 'status', tabindex: '-1', 'data-testid': 'contact-done', hidden: true }, [ctTx, ' ',
      h('button', { type: 'button', class: 'lk', text: 'Change', onclick: function () { editing = 1; ctIn.value = ctEmail; offer(ctHo); ctIn.focus(); } })]);
    const inp = h('textarea', { id: 'ti', rows: '1', placeholder: 'Type your message…', 'data-testid': 'input', 'aria-describedby': 'te',
      onkeydown: function (e) { if (e.key == 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); } },
      oninput: function () { inp.style.height = ''; inp.style.height = Math.min(inp.scrollHeight + 2, 120) + 'px'; } });
    const errEl = h('p', { class: 'er', id: 'te', role: 'alert', 'data-testid': 'error', hidden: true });
    const panel = h('div', { class: 'p', id: 'tp', role: 'dialog', 'aria-label': TITLE, 'data-testid': 'panel', hidden: true }, [
      h('div', { class: 'hd' }, [h('h2', { text: TITLE }), gear,
        h('button', { type: 'button', class: 'ib', 'aria-label': 'Close chat', 'data-testid': 'close', text: '×', onclick: function () { close(); } })]),
      st, log, notice, ct, ctOk, hb,
      h('form', { onsubmit: function (e) { e.preventDefault(); submit(); } }, [
        h('label', { for: 'ti', class: 'sr', text: 'Message' }), inp,
        h('button', { type: 'submit', class: 'sd', 'data-testid': 'send', text: 'Send' })]),
      errEl]);
    const wrap = h('div', { class: 'w', onkeydown: function (e) { if (e.key == 'Escape' && isOpen) { e.preventDefault(); close(true); } } }, [panel, la]);
    root.append(style, wrap);

    function err(m) { errEl.textContent = m || ''; errEl.hidden = !m; }
    function note(m) { stat.textContent = m; clearTimeout(noteT); noteT = setTimeout(function () { stat.textContent = ''; }, 6000); }
    function scroll() { log.scrollTop = log.scrollHeight; }
    function updHuman() { hb.hidden = mode == 'human' || log.querySelectorAll('.m-shopper').length < 3; }

    // ---------- messages ----------
    const WHO = { shopper: 'You: ', assistant: 'Assistant: ', system: '' };
    function bubble(role, text, author) {
      const r = /^(shopper|assistant|agent)$/.test(role) ? role : 'system';
      const tx = h('div', { text: text || '' });
      const el = h('div', { class: 'm m-' + r, 'data-testid': 'message', 'data-role': r }, [
        r == 'agent' ? h('div', { class: 'who', text: (author || 'Someone') + ' from our team' }) : WHO[r] && h('span', { class: 'sr', text: WHO[r] }), tx]);
      el._tx = tx; el._r = r;
      log.append(el); scroll(); updHuman();
      return el;
    }
    function local(item, queued) {
      const b = byId[item.id] || (byId[item.id] = bubble('shopper', item.text));
      b._id = item.id; b._t = item.text.trim();
      if (pend.indexOf(b) < 0) pend.push(b);
      setQ(b, queued);
      return b;
    }
    function setQ(b, on) {
      if (b._q) b._q.remove();
      b._q = on ? h('div', { class: 'q', 'data-testid': 'queued', text: 'Waiting for connection' }) : null;
      if (on) b.append(b._q);
    }
    function unpend(b) { pend = pend.filter(function (x) { return x !== b; }); }
    function addMsg(m) {
      if (m.id != null) {
        lastId = Math.max(lastId, +m.id || 0);
        if (seen[m.id]) return unpend(seen[m.id]);
      }
      const t = (m.text || '').trim();
      let b = pend.filter(function (x) {
        return x._r == m.role && (m.client_message_id ? x._id == m.client_message_id : x._t == t);
      })[0];
      if (b) { unpend(b); if (!b.isConnected) log.append(b, b._cs || ''); }
      else {
        b = bubble(m.role, m.text, m.author);
        if (m.suggestions && m.suggestions.length) cards(b, m.suggestions);
      }
      if (m.id != null) seen[m.id] = b;
    }
    function reset() {
      const keep = pend.filter(function (b) { return b._r == 'shopper'; });
      keep.forEach(function (b) { b.remove(); });
      log.textContent = ''; seen = {}; lastId = 0; joined = ''; pend = keep;
      bubble('assistant', GREET).setAttribute('data-testid', 'greeting');
    }
    // Local bubbles the server has not confirmed yet (sending or queued) go after the transcript.
    function reattach() { pend.forEach(function (b) { if (!b.isConnected) log.append(b); }); }
    function cards(b, list) {
      const box = h('div', { class: 'cs' });
      list.forEach(function (s) {
        const name = String(s.name || 'Product');
        let hue = 0; for (const ch of name) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
        const im = h('div', { class: 'im', 'aria-hidden': 'true', text: name.split(/\s+/).filter(Boolean).slice(0, 2).map(function (w) { return w[0]; }).join('').toUpperCase() });
        im.style.background = 'hsl(' + hue + ',40%,30%)';
        const meta = [s.size && 'Size ' + s.size, s.color].filter(Boolean).join(' · ');
        const add = h('button', { type: 'button', class: 'add', 'data-testid': 'add-to-cart', 'aria-label': 'Add to cart: ' + name, text: 'Add to cart', disabled: s.in_stock === false,
          onclick: function () {
            W.dispatchEvent(new CustomEvent('tandem:add-to-cart', { bubbles: true, composed: true,
              detail: { product_id: s.product_id, variant_id: s.variant_id, name: name, price: s.price } }));
            add.textContent = 'Added ✓'; setTimeout(function () { add.textContent = 'Add to cart'; }, 2000);
          } });
        box.append(h('div', { class: 'c', 'data-testid': 'suggestion-card' }, [im, h('div', 0, [
          h('div', { class: 'nm', text: name }),
          h('div', { class: 'pr', text: money(s.price, s.currency) }),
          meta && h('div', { class: 'mt', text: meta }),
          (s.stock_note || s.in_stock != null) && h('span', { class: 'bd' + (s.in_stock === false ? ' no' : ''), text: s.stock_note || (s.in_stock ? 'In stock' : 'Out of stock') }),
          s.because && h('p', { class: 'why', text: s.because }),
          add])]));
      });
      b.after(box); b._cs = box; scroll();
    }

    // ---------- conversation state, hand-off and polling ----------
    function apply(d) {
      if (!d) return;
      const ho = d.handoff;
      let j = '';
      if (ho && ho.agent_name && /open|claimed/.test(ho.status || 'open')) {
        agent = ho.agent_name;
        if (joined != ho.id + agent) { joined = ho.id + agent; j = agent + ' has joined'; }
      }
      // The server records its own "Sam from our team has joined" notice: show that one only.
      if (j && (d.messages || []).some(function (m) { return m.role == 'system' && (m.text || '').indexOf(agent) >= 0; })) j = '';
      // "Sam has joined" goes just before Sam's first message in this batch.
      (d.messages || []).forEach(function (m) {
        if (j && m.role == 'agent' && !seen[m.id]) { bubble('system', j); j = ''; }
        addMsg(m);
      });
      if (j) bubble('system', j);
      if (typeof d.personalization == 'boolean') tog.checked = pref = d.personalization;
      if (d.mode) setMode(d.mode);
      if ('handoff' in d) offer(d.handoff);
    }
    // Show the email form while nobody can take the handoff, the confirmation once an email is left.
    function offer(ho) {
      const live = mode == 'human' && ho && !/resolved|returned/.test(ho.status || '');
      const inside = ct.contains(root.activeElement);
      ctHo = live ? ho : null; ctEmail = live && ho.contact_email || '';
      if (!live) editing = 0;
      ct.hidden = !(live && (editing || (ho.contact_wanted && !ctEmail)));
      ctOk.hidden = !ctEmail || !ct.hidden;
      ctTx.textContent = 'Thanks! We’ll write to you at ' + ctEmail + '.';
      if (ct.hidden) ctErr.hidden = true;
      if (inside && ct.hidden) inp.focus();
    }
    function ctE(m) { ctErr.textContent = m; ctErr.hidden = !m; m ? ctIn.setAttribute('aria-invalid', 'true') : ctIn.removeAttribute('aria-invalid'); }
    async function contact(e) {
      e.preventDefault();
      const v = ctIn.value.trim();
      if (!v) { ctE('Please enter your email address.'); return ctIn.focus(); }
      ctBtn.disabled = true;
      try {
        const d = await call('POST', cp('/contact'), { email: v });
        editing = 0; ctE('');
        offer(Object.assign({}, ctHo, { contact_email: d.email }));
        ctOk.focus();
      } catch (x) { ctE(errText(x)); ctIn.focus(); }
      finally { ctBtn.disabled = false; }
    }
    function setMode(m) {
      mode = m == 'human' ? 'human' : 'assistant';
      if (mode != 'human') agent = '';
      notice.hidden = mode != 'human';
      if (mode != 'human') offer(null);
      notice.textContent = agent ? 'You’re chatting with ' + agent + ' from our team.' : 'Connecting you with our team…';
      updHuman();
      mode == 'human' && isOpen ? startPoll() : stopPoll();
    }
    async function refresh(full) {
      if (!conv) { if (full) { reset(); reattach(); } return true; }
      let d;
      try { d = await call('GET', cp(full || !lastId ? '' : '?after=' + lastId)); }
      catch (e) { if (!conv) { reset(); reattach(); } return !conv; } // dropped (401/404) counts as loaded
      if (full) reset();
      apply(d);
      reattach();
      scroll();
      return true;
    }
    async function loadOnce() { if (!loaded) loaded = await refresh(true); }
    function startPoll() { if (!pollT) pollT = setTimeout(tick, 3000); }
    function stopPoll() { clearTimeout(pollT); pollT = 0; }
    async function tick() {
      pollT = 0;
      if (!isOpen || mode != 'human' || !conv) return;
      await refresh(false);
      if (isOpen && mode == 'human') startPoll();
    }

    // ---------- sending ----------
    function queue(item, b) {
      const q = load(QK, []);
      if (!q.some(function (x) { return x.id == item.id; })) { q.push(item); save(QK, q); }
      setQ(b, true);
    }
    function unqueue(id) { const q = load(QK, []).filter(function (x) { return x.id != id; }); save(QK, q.length ? q : null); }
    function restore(text) { inp.value = text + (inp.value ? '\n' + inp.value : ''); inp.focus(); }
    async function sse(r, on) {
      const rd = r.body.getReader(), dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const x = await rd.read();
        buf += x.done ? '\n\n' : dec.decode(x.value, { stream: true });
        buf = buf.replace(/\r\n/g, '\n').replace(/\r(?!$)/g, '\n');
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const blk = buf.slice(0, i), data = [];
          let ev = 'message';
          buf = buf.slice(i + 2);
          blk.split('\n').forEach(function (l) {
            const m = /^([^:]*):? ?(.*)$/.exec(l);
            if (m[1] == 'event') ev = m[2]; else if (m[1] == 'data') data.push(m[2]);
          });
          if (data.length) {
            let d; try { d = JSON.parse(data.join('\n')); } catch (e) { d = { text: data.join('\n') }; }
            on(ev, d);
          }
        }
        if (x.done) return;
      }
    }
    async function turn(item, b, retried) {
      if (busy[item.id] && !retried) return;
      busy[item.id] = 1;
      try { await turn2(item, b, retried); } finally { delete busy[item.id]; }
    }
    async function turn2(item, b, retried) {
      if (navigator.onLine === false) return queue(item, b);
      let r;
      const a = bubble('assistant', '');
      a._tx.append(h('span', { class: 'ty', 'data-testid': 'typing' }, [h('i'), h('i'), h('i'), h('span', { class: 'sr', text: 'Typing…' })]));
      try {
        await ensure();
        r = await api('POST', cp('/messages'), { text: item.text, client_message_id: item.id }, 'text/event-stream');
      } catch (e) {
        if (!e.st) { a.remove(); return queue(item, b); } // network down: keep it for later
        r = { ok: false, status: e.st, json: function () { return { detail: e.message }; } };
      }
      if (!r.ok) {
        a.remove();
        const m = await detail(r);
        if ((r.status == 401 || r.status == 404) && !retried && conv) { drop(); return turn2(item, b, 1); }
        unqueue(item.id); unpend(b); b.remove(); delete byId[item.id]; updHuman();
        err(m); restore(item.text);
        return;
      }
      unqueue(item.id); setQ(b, false); err('');
      const before = lastId;
      let txt = '', done = null, fail = null;
      try {
        if (/json/.test(r.headers.get('content-type') || '')) done = await r.json();
        else await sse(r, function (ev, d) {
          if (ev == 'token') { txt += d.text || ''; a._tx.textContent = txt; scroll(); }
          else if (ev == 'reset') { txt = ''; a._tx.textContent = ''; } // words withdrawn: the facts follow
          else if (ev == 'done') done = d;
          else if (ev == 'error') fail = (d && d.detail) || 'Sorry, something went wrong. Please try again.';
        });
      } catch (e) { /* stream broke mid-reply: recovered below */ }
      if (done) {
        const rp = done.reply || {}, ft = String(rp.text != null ? rp.text : txt), sg = rp.suggestions || [];
        if (!ft.trim() && !sg.length) a.remove();
        else {
          a._tx.textContent = ft; a._t = ft.trim(); pend.push(a);
          // message_id is the shopper's message, reply_message_id the reply's.
          if (done.reply_message_id != null) seen[done.reply_message_id] = a;
          if (sg.length) cards(a, sg);
        }
        if (done.message_id != null) { seen[done.message_id] = b; unpend(b); }
        const ho = done.handoff;
        if (done.route == 'human' || (ho && !/resolved|returned/.test(ho.status || ''))) { setMode('human'); offer(ho); }
        lastId = before; // pick up ids, and anything an agent wrote meanwhile
        await refresh(false);
      } else if (fail) { a.remove(); err(fail); }
      else { a._tx.textContent = '…'; await recover(); }
    }
    async function recover() {
      for (let i = 0; i < 5; i++) {
        await sleep(i ? 1500 : 400);
        if (conv && await refresh(true)) {
          const ms = log.querySelectorAll('.m');
          if (ms.length && ms[ms.length - 1]._r != 'shopper') return;
        }
      }
      err('The reply was interrupted. Please try again.');
    }
    function send(text) {
      text = String(text == null ? '' : text).trim();
      if (!text) return Promise.resolve();
      if (!isOpen) open();
      err('');
      const item = { id: uuid(), text: text }, b = local(item, false);
      return later(function () { return turn(item, b); });
    }
    function submit() { const v = inp.value; if (!v.trim()) return; inp.value = ''; inp.style.height = ''; send(v); }
    function flush() {
      if (navigator.onLine === false) return;
      const q = load(QK, []);
      if (q.length) later(loadOnce);
      q.forEach(function (item) {
        if (!item || !item.id || !item.text || busy[item.id]) return;
        later(function () { return turn(item, local(item, true)); });
      });
    }

    // ---------- settings ----------
    async function privacy() {
      const v = tog.checked;
      if (!conv) { pref = v; return note(v ? 'Personalised suggestions are on.' : 'Personalised suggestions are off.'); }
      try {
        await call('PUT', cp('/privacy'), { personalization: v });
        pref = v; note(v ? 'Personalised suggestions are on.' : 'Personalised suggestions are off.');
      } catch (e) { tog.checked = !v; note(errText(e)); }
    }
    async function exportData() {
      if (!conv) return note('We have no data stored for you yet.');
      try {
        const d = await call('GET', '/v1/me/data');
        const a = h('a', { href: URL.createObjectURL(new Blob([JSON.stringify(d, null, 2)], { type: 'application/json' })), download: 'my-data.json', hidden: true });
        root.append(a); a.click(); a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
        note('Your data was downloaded as my-data.json.');
      } catch (e) { note(errText(e)); }
    }
    async function deleteData() {
      if (!conv) return note('We have no data stored for you.');
      if (!W.confirm('Delete your chat history and personal data? This cannot be undone.')) return;
      try {
        await call('DELETE', '/v1/me/data');
        drop(); save(QK, null); pend = []; byId = {}; reset();
        note('Your data has been deleted.');
      } catch (e) { note(errText(e)); }
    }

    // The storefront calls Tandem.signOut() when the shopper signs out: the token ends on the
    // server and leaves this browser, so the next person here starts afresh.
    async function signOut() {
      const c = conv;
      drop(); save(QK, null); pend = []; byId = {}; reset();
      if (c) {
        try { await fetch(BASE + '/v1/me/session', { method: 'DELETE', credentials: 'omit', headers: { Authorization: 'Bearer ' + c.token } }); }
        catch (e) { /* offline: the token still ends at its expiry */ }
      }
    }

    // ---------- open / close ----------
    function open() {
      if (isOpen) return;
      isOpen = true; panel.hidden = false; wrap.classList.add('o');
      la.setAttribute('aria-expanded', 'true'); la.textContent = 'Close chat';
      save('tandem:open', 1, sessionStorage);
      inp.focus();
      later(loadOnce).then(function () { if (isOpen && mode == 'human') { stopPoll(); tick(); } });
    }
    function close(focus) {
      if (!isOpen) return;
      const inside = !!root.activeElement;
      isOpen = false; panel.hidden = true; wrap.classList.remove('o'); stopPoll();
      la.setAttribute('aria-expanded', 'false'); la.textContent = 'Chat with us';
      save('tandem:open', null, sessionStorage);
      if (focus || inside) la.focus();
    }

    function boot() {
      D.body.append(host);
      reset();
      W.addEventListener('online', flush);
      W.Tandem = { open: open, close: function () { close(); }, send: send, signOut: signOut, version: '0.1.0' };
      if (load('tandem:open', 0, sessionStorage)) open();
      flush();
      W.dispatchEvent(new CustomEvent('tandem:ready'));
    }
    D.body ? boot() : D.addEventListener('DOMContentLoaded', boot);
  })();
})();
