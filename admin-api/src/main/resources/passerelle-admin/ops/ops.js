// The ops page: reads the admin API with the token kept in session storage, and sends changes only after the
// operator confirmed them. No framework and no build step; text is always set with textContent (never HTML).
'use strict';
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const store = window.sessionStorage;
  let groupsCache = [];
  const reports = new Map();
  let refreshTimer = null;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  async function api(method, path, body) {
    const headers = { 'Authorization': 'Bearer ' + store.getItem('passerelle.token') };
    const actor = store.getItem('passerelle.actor');
    if (actor) headers['X-Passerelle-Actor'] = actor;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    const json = (r.headers.get('content-type') || '').startsWith('application/json') ? await r.json() : null;
    if (r.status === 401) { logout('The token was refused.'); throw new Error('unauthorised'); }
    return { status: r.status, json };
  }

  function say(text, bad) {
    const s = $('#status');
    s.textContent = text;
    s.classList.toggle('bad', !!bad);
  }

  function confirmThen(text, action) {
    const d = $('#confirm');
    $('#confirm-text').textContent = text;
    d.returnValue = '';
    d.addEventListener('close', () => { if (d.returnValue === 'ok') action(); }, { once: true });
    d.showModal();
    $('#confirm-cancel').focus();
  }

  function outcome(r, what) {
    if (r.status === 200) say(what + ': applied by ' + r.json.applied + ' of ' + r.json.gateways + ' gateway(s).');
    else if (r.status === 202 && r.json && r.json.laggards) say(what + ': partly applied; not confirmed by ' + r.json.laggards.join(', '), true);
    else if (r.status === 202) say(what + ': started.');
    else say(what + ' refused: ' + (r.json ? r.json.error + ': ' + r.json.detail : 'HTTP ' + r.status), true);
    refresh();
  }

  // ---- rendering -------------------------------------------------------------------------------------------

  function countdown(win) {
    if (!win) return null;
    const now = Date.now(), start = Date.parse(win.start), end = Date.parse(win.end);
    if (now >= end) return 'over';
    const left = (ms) => {
      const s = Math.max(0, Math.round(ms / 1000));
      const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      return (h ? h + 'h ' : '') + String(m).padStart(h ? 2 : 1, '0') + 'm ' + String(sec).padStart(2, '0') + 's';
    };
    return now < start ? 'starts in ' + left(start - now) : 'ends in ' + left(end - now);
  }

  function windowCell(dd, win) {
    dd.textContent = '';
    if (!win) { dd.textContent = 'none'; return; }
    dd.append(el('span', win.mode + ' (' + win.writes + ') ' + win.start.replace('T', ' ').replace('Z', '') + ' – '
      + win.end.replace('T', ' ').replace('Z', '') + ' UTC '));
    const c = el('span', countdown(win), 'countdown');
    c.dataset.start = win.start; c.dataset.end = win.end;
    dd.append(c);
  }

  function backendRow(group, b, kind, status) {
    const tr = el('tr');
    tr.append(el('td', b.address + (kind === 'spare' ? ' (spare)' : '')));
    const health = status ? status.health : b.health;
    tr.append(el('td', health, health === 'up' ? 'up' : health === 'down' ? 'down' : ''));
    const admin = status ? status.admin : 'ready';
    tr.append(el('td', admin));
    const td = el('td');
    const next = admin === 'ready' ? 'drain' : 'ready';
    const btn = el('button', next === 'drain' ? 'Drain…' : 'Ready…', 'small quiet');
    btn.type = 'button';
    btn.addEventListener('click', () => confirmThen('Set backend ' + b.address + ' of group ' + group + ' to "' + next
      + '" on every gateway?' + (next === 'drain' ? ' It takes no new requests; requests in flight finish.' : ''),
      async () => outcome(await api('PUT', '/v1/groups/' + encodeURIComponent(group) + '/backends/'
        + encodeURIComponent(b.address) + '/state', { state: next }), 'Backend ' + b.address + ' ' + next)));
    td.append(btn);
    tr.append(td);
    return tr;
  }

  function reportTable(report) {
    const t = el('table');
    const head = el('tr');
    ['Host', 'Backend', 'Address', 'Status', 'Verdict'].forEach((h) => head.append(el('th', h)));
    const thead = el('thead');
    thead.append(head);
    t.append(thead);
    const body = el('tbody');
    Object.entries(report.hosts || {}).forEach(([host, hr]) => {
      Object.entries(hr.backends || {}).forEach(([backend, byAddress]) => {
        Object.entries(byAddress).forEach(([address, check]) => {
          const tr = el('tr');
          [host, backend, address, check.status === null ? '–' : check.status].forEach((v) => tr.append(el('td', v)));
          tr.append(el('td', check.verdict + (check.reason ? ': ' + check.reason : ''), check.verdict === 'ok' ? 'ok' : 'fail'));
          body.append(tr);
        });
      });
    });
    t.append(body);
    return t;
  }

  function list(text) {
    return text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s.length > 0);
  }

  function wireCard(card, g) {
    const name = g.name, path = '/v1/groups/' + encodeURIComponent(name);
    const modeForm = $('.mode-form', card);
    modeForm.mode.value = g.mode; modeForm.writes.value = g.writes;
    modeForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const mode = modeForm.mode.value, writes = modeForm.writes.value;
      confirmThen('Put group ' + name + ' in ' + mode + (mode === 'read-only' ? ' (writes: ' + writes + ')' : '')
        + ' on every gateway?', async () => outcome(await api('PUT', path + '/mode', { mode, writes }), name + ' ' + mode));
    });
    const winForm = $('.window-form', card);
    winForm.writes.value = g.writes; // offered as the group's own policy, not the select's first option
    winForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const start = winForm.start.value + ':00Z', end = winForm.end.value + ':00Z';
      const body = { start, end, mode: winForm.mode.value, writes: winForm.writes.value };
      confirmThen('Schedule ' + body.mode + (body.mode === 'read-only' ? ' (writes: ' + body.writes + ')' : '') + ' for group '
        + name + ' from ' + start + ' to ' + end + '?',
        async () => outcome(await api('PUT', path + '/window', body), name + ' window'));
    });
    $('.cancel-window', card).addEventListener('click', () => confirmThen('Cancel the window of group ' + name + '?',
      async () => outcome(await api('DELETE', path + '/window'), name + ' window cancelled')));
    const cut = $('.cutover-form', card);
    cut.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = { backends: list(cut.backends.value), spares: list(cut.spares.value), verify: cut.verify.checked };
      confirmThen('Move group ' + name + ' to ' + body.backends.join(', ') + (body.verify ? ' after verifying every host' : ' WITHOUT verification') + '?',
        async () => {
          say('Verifying ' + name + '…');
          const r = await api('POST', path + '/cutover', body);
          // Kept outside the card: the card is redrawn by the refresh that follows.
          if (r.json && r.json.report) reports.set(name, r.json.report);
          outcome(r, name + ' cutover');
        });
    });
  }

  // Waiting writes, and those that need a person: failed-final (the backend refused them, or attempts ran out) and
  // set aside (unreadable after a crash). "0 waiting" alone would hide them.
  function spoolCell(cell, name, sp) {
    cell.replaceChildren();
    if (!sp) { cell.textContent = 'n/a'; return; }
    cell.append(sp.count + ' waiting, ' + sp.bytes + ' bytes' + (sp.oldest ? ', oldest ' + sp.oldest : ''));
    const stuck = [sp.failedFinal ? sp.failedFinal + ' failed-final' : '', sp.setAside ? sp.setAside + ' set aside' : '']
      .filter(Boolean);
    if (stuck.length) {
      cell.append(el('span', stuck.join(', ') + ': needs a person (passerelle ctl spool list ' + name + ')', 'fail spool-stuck'));
    }
  }

  async function renderGroups(groups) {
    const box = $('#groups');
    const open = new Set([...box.querySelectorAll('details[open]')].map((d) => d.closest('.card').dataset.group + '/' + $('summary', d).textContent));
    const [health, spools] = await Promise.all([
      Promise.all(groups.map((g) => api('GET', '/v1/groups/' + encodeURIComponent(g.name) + '/health').catch(() => null))),
      Promise.all(groups.map((g) => api('GET', '/v1/groups/' + encodeURIComponent(g.name) + '/spool').catch(() => null)))]);
    const existing = new Map([...box.children].map((c) => [c.dataset.group, c]));
    const cards = groups.map((g, i) => {
      const statuses = health[i] && health[i].status === 200 ? health[i].json : { backends: [], spares: [] };
      const sp = spools[i] && spools[i].status === 200 ? spools[i].json : null;
      // A card whose data did not change is kept as it is: no flicker, and a form being filled in stays.
      const sig = JSON.stringify([g, statuses.backends.concat(statuses.spares).map((b) => b && [b.address, b.health, b.admin]),
        sp && [sp.count, sp.bytes, sp.oldest, sp.failedFinal, sp.setAside], reports.get(g.name) || null]);
      const old = existing.get(g.name);
      if (old && old.dataset.sig === sig) return old;
      const card = $('#group-card').content.firstElementChild.cloneNode(true);
      card.dataset.group = g.name;
      card.dataset.sig = sig;
      $('.name', card).textContent = g.name;
      const badge = $('.mode', card);
      badge.textContent = g.effectiveMode; badge.classList.add(g.effectiveMode);
      $('.writes', card).textContent = g.effectiveMode === 'read-only' ? g.effectiveWrites : g.writes + ' (when read-only)';
      windowCell($('.window', card), g.window);
      spoolCell($('.spool', card), g.name, sp);
      const tbody = $('.backends tbody', card);
      g.backends.forEach((b, j) => tbody.append(backendRow(g.name, b, 'backend', statuses.backends[j])));
      g.spares.forEach((b, j) => tbody.append(backendRow(g.name, b, 'spare', statuses.spares[j])));
      card.querySelectorAll('details').forEach((d) => { if (open.has(g.name + '/' + $('summary', d).textContent)) d.open = true; });
      const report = reports.get(g.name);
      if (report) {
        const wrap = el('div', null, 'wide');
        wrap.append(reportTable(report));
        $('.report', card).append(el('p', report.ok ? 'Verification passed.' : 'Verification failed: nothing changed.',
          report.ok ? 'ok' : 'fail'), wrap);
        $('.report', card).closest('details').open = true;
      }
      wireCard(card, g);
      return card;
    });
    const same = cards.length === box.children.length && cards.every((c, i) => box.children[i] === c);
    if (!same) box.replaceChildren(...cards);
  }

  // ---- migrations ------------------------------------------------------------------------------------------

  // Finished migrations stay listed a while, so that the end of one being watched is seen, not just its vanishing.
  const RECENT_MS = 15 * 60 * 1000;
  const FINAL = new Set(['done', 'aborted']);
  // The states in which the migration holds its group read-only: the time shown keeps counting.
  const READ_ONLY = new Set(['read-only', 'awaiting-copy', 'verifying', 'verification-failed', 'cutover']);
  const ABORTABLE = new Set(['scheduled', 'read-only', 'awaiting-copy', 'verifying', 'verification-failed']);
  let migrationsSig = null;

  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + sec + 's';
  }

  function readOnlyText(td) {
    const base = Number(td.dataset.seconds);
    const s = base + (td.dataset.ticking === '1' ? (Date.now() - Number(td.dataset.at)) / 1000 : 0);
    return duration(s) + (td.dataset.max ? ' (limit ' + duration(Number(td.dataset.max)) + ')' : '') + (td.dataset.overdue === '1' ? ' · overdue' : '');
  }

  function currentStep(m) {
    const started = (m.steps || []).filter((s) => s.status !== 'planned');
    const s = started[started.length - 1];
    if (!s) return m.start ? 'starts ' + m.start.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') + ' UTC' : 'starting';
    return s.step + ' ' + s.status + (s.outcome ? ': ' + s.outcome : '');
  }

  function migrationAction(m, action) {
    const b = el('button', action === 'continue' ? 'Continue…' : 'Abort…', 'small' + (action === 'abort' ? ' quiet' : ''));
    b.type = 'button';
    b.dataset.action = action;
    const to = m.to.backends.join(', '), from = m.from.backends.join(', ');
    const text = action === 'abort'
      ? 'Abort ' + m.id + '? Group ' + m.group + ' returns to open on its old backends ' + from + ', and its queued writes replay there.'
      : m.state === 'awaiting-copy'
        ? 'Is the data of ' + m.group + ' copied to ' + to + '? The new backends are verified, then the group is cut over, opened, and its queued writes replayed there.'
        : 'Verify the new backends of ' + m.group + ' (' + to + ') again, and cut over if they pass?';
    b.addEventListener('click', () => confirmThen(text, async () => {
      const r = await api('POST', '/v1/migrations/' + encodeURIComponent(m.id) + '/' + action);
      if (r.status === 200) say(m.group + ' ' + action + ': accepted, now ' + r.json.state + '.');
      else say(m.group + ' ' + action + ' refused: ' + (r.json ? r.json.error + ': ' + r.json.detail : 'HTTP ' + r.status), true);
      refresh();
    }));
    return b;
  }

  function migrationCard(m, fetchedAt) {
    const card = $('#migration-card').content.firstElementChild.cloneNode(true);
    card.dataset.migration = m.id;
    card.dataset.state = m.state;
    card.classList.toggle('overdue', !!m.overdue);
    $('.name', card).textContent = m.group;
    const badge = $('.state', card);
    badge.textContent = m.state;
    badge.classList.add(m.state);
    const ro = $('.read-only-for', card);
    if (m.readOnlySince) {
      Object.assign(ro.dataset, { seconds: m.readOnlySeconds || 0, at: fetchedAt, ticking: READ_ONLY.has(m.state) ? '1' : '',
        max: m.maxReadOnlySeconds || '', overdue: m.overdue ? '1' : '' });
      ro.textContent = readOnlyText(ro);
    } else {
      ro.textContent = 'not yet';
    }
    const step = $('.step', card);
    step.textContent = currentStep(m);
    if (m.state === 'verification-failed' && m.report && m.report.problems) {
      const ul = el('ul', null, 'problems');
      m.report.problems.forEach((p) => ul.append(el('li', p)));
      step.append(ul);
    }
    $('.route', card).textContent = m.from.backends.join(', ') + ' → ' + m.to.backends.join(', ') + ' (writes ' + m.writes + ')';
    $('.id', card).textContent = m.id;
    const actions = $('.actions', card);
    if (m.state === 'awaiting-copy' || m.state === 'verification-failed') actions.append(migrationAction(m, 'continue'));
    if (ABORTABLE.has(m.state)) actions.append(migrationAction(m, 'abort'));
    return card;
  }

  function renderMigrations(all) {
    const now = Date.now();
    const shown = all.filter((m) => !FINAL.has(m.state) || now - Date.parse(m.updatedAt) < RECENT_MS);
    $('#no-migrations').hidden = shown.some((m) => !FINAL.has(m.state));
    // Rebuilt only when a migration changed: the read-only times count on by themselves (tick).
    const sig = JSON.stringify(shown.map((m) => [m.id, m.state, m.updatedAt, m.overdue]));
    if (sig === migrationsSig) return;
    migrationsSig = sig;
    $('#migrations').replaceChildren(...shown.map((m) => migrationCard(m, now)));
  }

  function renderRows(table, rows) {
    $('tbody', table).replaceChildren(...rows.map((cells) => {
      const tr = el('tr');
      cells.forEach((c) => tr.append(el('td', c)));
      return tr;
    }));
  }

  async function refresh() {
    try {
      const [groups, gateways, audit, migrations] = await Promise.all([api('GET', '/v1/groups'), api('GET', '/v1/gateways'),
        api('GET', '/v1/audit?limit=10'), api('GET', '/v1/migrations')]);
      if (groups.status !== 200) { say('Cannot read the groups: ' + (groups.json ? groups.json.detail : groups.status), true); return; }
      groupsCache = groups.json.groups;
      // A form being filled in is not redrawn under the operator's fingers.
      const editing = document.activeElement && document.activeElement.matches('.card input, .card select');
      if (!editing) await renderGroups(groupsCache);
      if (gateways.status === 200) {
        const gws = gateways.json.gateways;
        $('#fleet').textContent = 'table version ' + gateways.json.version + ' · ' + gws.filter((g) => g.live).length + ' live gateway(s)';
        // A gateway that stopped or crashed is not "behind": its state (stopped, lost) says what it is.
        renderRows($('#gateways'), gws.map((g) => [g.id, g.appliedVersion + (g.upToDate ? ' ✓' : g.live ? ' (behind)' : ''),
          (g.live ? 'yes' : 'no') + (g.state && g.state !== 'up-to-date' ? ' (' + g.state + ')' : ''), g.heartbeat]));
      }
      if (migrations.status === 200) renderMigrations(migrations.json.migrations);
      if (audit.status === 200) {
        renderRows($('#audit'), audit.json.entries.map((e) => [e.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ''), e.actor, e.action, e.target]));
      }
    } catch (e) {
      if (e.message !== 'unauthorised') say('The admin API is unreachable: ' + e.message, true);
    }
  }

  function tick() {
    document.querySelectorAll('.countdown').forEach((c) => { c.textContent = countdown({ start: c.dataset.start, end: c.dataset.end }); });
    document.querySelectorAll('.read-only-for[data-ticking="1"]').forEach((c) => { c.textContent = readOnlyText(c); });
  }

  function showApp() {
    $('#login').hidden = true; $('#app').hidden = false; $('#logout').hidden = false;
    refresh();
    clearInterval(refreshTimer);
    refreshTimer = setInterval(() => { refresh(); }, 5000);
  }

  function logout(message) {
    store.removeItem('passerelle.token');
    clearInterval(refreshTimer);
    $('#app').hidden = true; $('#logout').hidden = true; $('#login').hidden = false;
    $('#login-error').textContent = message || '';
    $('#fleet').textContent = '';
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('#login-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      store.setItem('passerelle.token', $('#token').value);
      store.setItem('passerelle.actor', $('#actor').value.trim());
      $('#token').value = '';
      try {
        const r = await api('GET', '/v1/gateways');
        if (r.status === 200) showApp(); else $('#login-error').textContent = 'The admin API answered ' + r.status;
      } catch (e) {
        if (e.message !== 'unauthorised') $('#login-error').textContent = 'The admin API is unreachable.';
      }
    });
    $('#logout').addEventListener('click', () => logout());
    setInterval(tick, 1000);
    if (store.getItem('passerelle.token')) showApp();
  });
})();
