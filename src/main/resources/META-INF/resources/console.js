// Portcullis web console: plain script over the /v1 JSON API, no build step.
// Everything from the server is put on the page as text (textContent), never as HTML.
'use strict';

const session = { csrf: null, tokenRequired: false };
let stopView = () => {};
let routes = 0;

// ---------- small helpers ----------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function badge(text, kind) {
  return el('span', { class: 'badge ' + (kind || text || ''), text: text || '' });
}

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function describeTarget(t) {
  if (!t) return '';
  if (t.bucket) return 's3://' + t.bucket + (t.key ? '/' + t.key : '');
  if (t.hostedZoneId) return 'route53 ' + t.hostedZoneId + (t.recordName ? ' ' + t.recordName : '');
  if (t.resource) {
    return [t.namespace, t.resource + (t.subresource ? '/' + t.subresource : ''), t.name]
      .filter(Boolean).join('/');
  }
  return t.arn || t.name || t.type || '';
}

function describeActor(a) {
  if (!a) return '';
  return a.name || a.principal || '';
}

function link(href, text) {
  return el('a', { href, text });
}

// A runbook is a link only when it is a web address; a repository path is shown as text.
function runbookLink(r) {
  if (!r) return '';
  return /^https?:\/\//.test(r) ? el('a', { href: r, target: '_blank', rel: 'noopener', text: r }) : r;
}

class ApiFailure extends Error {
  constructor(status, body) {
    super((body && body.message) || ('HTTP ' + status));
    this.status = status;
    this.body = body;
  }
}

async function api(path, options = {}) {
  const opts = { credentials: 'same-origin', ...options, headers: { ...(options.headers || {}) } };
  const method = (opts.method || 'GET').toUpperCase();
  if (method !== 'GET' && session.csrf) opts.headers['X-Portcullis-CSRF'] = session.csrf;
  const res = await fetch(path, opts);
  if (res.status === 401) {
    location.href = '/login.html';
    throw new ApiFailure(401, null);
  }
  const type = res.headers.get('content-type') || '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new ApiFailure(res.status, typeof body === 'object' ? body : { message: body });
  return body;
}

function failure(e) {
  const box = el('div', { class: 'card error', role: 'alert' }, e.message);
  const problems = e.body && e.body.details && (e.body.details.problems || e.body.details.rejected);
  if (problems) {
    box.append(el('ul', {}, problems.map((p) => el('li', { text: typeof p === 'string' ? p : JSON.stringify(p) }))));
  }
  return box;
}

function table(headers, rows, rowAttrs) {
  return el('table', {},
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { text: h })))),
    el('tbody', {}, rows.map((cells, i) => el('tr', rowAttrs ? rowAttrs(i) : {}, cells.map((c) => el('td', {}, c))))));
}

function findings(decisions) {
  if (!decisions || decisions.length === 0) return el('span', { class: 'muted', text: 'no finding' });
  return el('span', {}, decisions.map((d) =>
    el('span', { class: 'finding', 'data-policy': d.policy },
      badge(d.action, d.action), badge(d.severity, d.severity), d.policy, ' ')));
}

// ---------- decisions: the live stream ----------

const FILTERS = [
  ['policy', 'Policy'], ['action', 'Action'], ['severity', 'Severity'],
  ['source', 'Source'], ['actor', 'Actor'], ['target', 'Target'],
];
const CHOICES = {
  action: ['block', 'alert', 'audit', 'suppressed'],
  severity: ['critical', 'high', 'medium', 'low', 'info'],
  source: ['cloudtrail', 'k8s-audit', 'portcullis', 'portcullis-revert', 'portcullis-guard', 'k8s-admission'],
};

function decisionRow(item, fresh) {
  const r = item.record || {};
  return el('tr', { class: fresh ? 'new' : null, 'data-id': item.id },
    el('td', {}, when(r.decidedAt || r.eventTime)),
    el('td', {}, r.source || ''),
    el('td', {}, describeActor(r.actor)),
    el('td', {}, r.action || ''),
    el('td', {}, describeTarget(r.target)),
    el('td', {}, findings(r.decisions)),
    el('td', {}, link('#/decision/' + encodeURIComponent(item.id), 'details')));
}

async function viewDecisions(main, query) {
  const params = new URLSearchParams(query);
  let policies = [];
  try { policies = (await api('/v1/policies')).policies.map((p) => p.id); } catch (e) { /* shown below */ }
  const form = el('form', { class: 'filters', id: 'decision-filters' });
  for (const [name, label] of FILTERS) {
    const choices = name === 'policy' ? policies.concat(['none']) : CHOICES[name];
    const input = choices
      ? el('select', { name }, el('option', { value: '', text: 'any' }),
        choices.map((c) => el('option', { value: c, text: c, selected: params.get(name) === c })))
      : el('input', { name, value: params.get(name) || '', placeholder: 'contains' });
    form.append(el('label', {}, label, input));
  }
  form.append(el('button', { type: 'submit', text: 'Filter' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) q.set(k, v);
    location.hash = '#/decisions' + (q.toString() ? '?' + q : '');
  });
  const status = el('span', { class: 'status', id: 'stream-status', text: 'connecting' });
  const body = el('tbody', { id: 'decisions' });
  main.append(el('h1', {}, 'Decisions ', status), form,
    el('table', {}, el('thead', {}, el('tr', {},
      ['decided', 'source', 'actor', 'action', 'target', 'findings', ''].map((h) => el('th', { text: h })))), body));
  const seen = new Set();
  const add = (item, fresh) => {
    if (seen.has(item.id + '@' + item.seq)) return;
    seen.add(item.id + '@' + item.seq);
    const row = decisionRow(item, fresh);
    if (fresh) body.prepend(row); else body.append(row);
    while (body.rows.length > 500) body.deleteRow(body.rows.length - 1);
  };
  try {
    const listing = await api('/v1/decisions?' + params);
    listing.decisions.forEach((d) => add(d, false));
    if (listing.problem) main.insertBefore(el('p', { class: 'error', text: listing.problem }), form);
  } catch (e) {
    main.append(failure(e));
  }
  const source = new EventSource('/v1/decisions/stream?' + params);
  source.onopen = () => { status.textContent = 'live'; status.className = 'status live'; };
  source.onerror = () => { status.textContent = 'reconnecting'; status.className = 'status down'; };
  source.addEventListener('decision', (ev) => add(JSON.parse(ev.data), true));
  return () => source.close();
}

// ---------- one decision ----------

async function viewDecision(main, id) {
  main.append(el('p', {}, link('#/decisions', '← all decisions')));
  let d;
  try {
    d = await api('/v1/decisions/' + encodeURIComponent(id));
  } catch (e) {
    main.append(failure(e));
    return;
  }
  const r = d.record;
  main.append(el('h1', {}, (r.action || 'decision') + ' on ' + describeTarget(r.target)));
  main.append(el('div', { class: 'card' }, el('dl', { class: 'facts' },
    [['event id', r.eventId], ['source', r.source], ['event time', when(r.eventTime)],
      ['received', when(r.receivedAt)], ['decided', when(r.decidedAt)],
      ['actor', describeActor(r.actor) + (r.actor && r.actor.sourceIp ? ' from ' + r.actor.sourceIp : '')],
      ['service', r.service], ['outcome', r.outcome && (r.outcome.success === false ? 'failed: ' + (r.outcome.errorCode || '') : 'succeeded')],
      ['policy version', r.policyVersion]]
      .flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v || '' })]))));
  main.append(el('h2', { text: 'Findings' }));
  const ds = r.decisions || [];
  main.append(ds.length === 0 ? el('p', { class: 'muted', text: 'No policy objected.' })
    : table(['policy', 'action', 'severity', 'summary', 'rule', 'runbook', 'exception', 'alert'],
      ds.map((f) => [f.policy, badge(f.action), badge(f.severity), f.summary || '', f.rule || '',
        runbookLink(f.runbook), f.exception || '',
        d.alerts && d.alerts[f.policy] ? el('span', {}, badge(d.alerts[f.policy].status),
          ' ×' + d.alerts[f.policy].count + ' ', (d.alerts[f.policy].sinks || []).join(', ')) : '']),
      (i) => ({ 'data-policy': ds[i].policy })));
  if (d.exceptions && d.exceptions.length) {
    main.append(el('h2', { text: 'Exceptions that suppressed a finding' }),
      table(['id', 'reason', 'owner', 'approved by', 'expires', 'status'],
        d.exceptions.map((x) => [x.id, x.reason || '', x.owner || '', x.approvedBy || '', when(x.expires), x.status])));
  }
  if (d.related && d.related.length) {
    main.append(el('h2', { text: 'Reverts and later decisions' }),
      table(['decided', 'source', 'findings', 'revert'],
        d.related.map((x) => [when(x.decidedAt), x.source, findings(x.decisions),
          (x.decisions || []).map((f) => (f.details && f.details.revert) || '').join(' ')])));
  }
  main.append(el('h2', { text: 'The event' }));
  if (d.event) {
    if (d.redacted && d.redacted.length) {
      main.append(el('p', { class: 'muted', text: 'Secret values removed at ' + d.redacted.join(', ') }));
    }
    main.append(el('pre', { id: 'event-json', text: JSON.stringify(d.event, null, 2) }));
  } else {
    main.append(el('p', { class: 'muted', text: d.eventProblem || 'not available' }));
  }
}

// ---------- policies, exceptions, test cases ----------

async function viewPolicies(main) {
  main.append(el('h1', { text: 'Policies' }));
  try {
    const p = await api('/v1/policies');
    main.append(el('p', { class: 'muted', text: 'Version ' + p.version + ' from ' + p.origin + ', loaded ' + when(p.loadedAt) + (p.watching ? ', watching for changes' : '') }));
    if (p.error) {
      main.append(el('div', { class: 'card error', role: 'alert' }, 'The last change was rejected (' + when(p.error.at) + '); version ' + p.version + ' stays in force:',
        el('ul', {}, (p.error.problems || []).map((x) => el('li', { text: x })))));
    }
    if (p.warnings && p.warnings.length) {
      main.append(el('div', { class: 'card' }, 'Warnings', el('ul', {}, p.warnings.map((w) => el('li', { text: w })))));
    }
    main.append(table(['id', 'title', 'severity', 'enforcement', 'owner', 'events', 'exceptions', 'runbook'],
      p.policies.map((x) => [x.id, x.title || '', badge(x.severity),
        el('span', {}, badge(x.effectiveEnforcement), x.overridden ? ' (policy says ' + x.enforcement + ')' : ''),
        x.owner || '', (x.eventNames || []).join(', '), String(x.exceptions), runbookLink(x.runbook)])));
    const withParameters = p.policies.filter((x) => x.parameters && Object.keys(x.parameters).length);
    if (withParameters.length) {
      main.append(el('h2', { text: 'Parameters in force' }),
        ...withParameters.map((x) => el('details', { class: 'card' }, el('summary', { text: x.id }),
          el('pre', { text: JSON.stringify(x.parameters, null, 2) }))));
    }
  } catch (e) {
    main.append(failure(e));
  }
  main.append(el('h2', { text: 'Exceptions' }));
  try {
    const x = await api('/v1/exceptions');
    main.append(x.exceptions.length === 0 ? el('p', { class: 'muted', text: 'None.' })
      : table(['id', 'policy', 'reason', 'owner', 'approved by', 'expires', 'status'],
        x.exceptions.map((e) => [e.id, e.policy, e.reason || '', e.owner || '', e.approvedBy || '',
          when(e.expires) + (e.daysLeft !== undefined && e.daysLeft !== null ? ' (' + e.daysLeft + ' days)' : ''), badge(e.status)]),
        (i) => ({ class: x.exceptions[i].status === 'expiring' ? 'expiring' : null })));
  } catch (e) {
    main.append(failure(e));
  }
  const tests = el('div', { id: 'policy-tests' });
  const run = el('button', { class: 'secondary', text: 'Run the test cases again' });
  main.append(el('h2', {}, 'Test cases ', run), tests);
  const show = async (again) => {
    tests.replaceChildren(el('p', { class: 'muted', text: 'running…' }));
    try {
      const t = await api('/v1/policies/tests' + (again ? '?run=true' : ''));
      tests.replaceChildren(
        el('p', {}, badge(t.passed + ' passed', 'pass'), badge(t.failed + ' failed', t.failed ? 'fail' : 'pass'), ' last run ' + when(t.ranAt)),
        t.problems.length ? el('ul', { class: 'error' }, t.problems.map((pr) => el('li', { text: (pr.file || '') + (pr.line ? ':' + pr.line : '') + ': ' + pr.message }))) : '',
        table(['policy', 'case', 'expects', 'result', 'description'],
          t.cases.map((c) => [c.policy, c.file, c.fires ? 'fires' : 'stays quiet',
            c.passed ? badge('pass') : el('span', {}, badge('fail'), ' ' + (c.failure || '')), c.description || '']),
          (i) => ({ class: t.cases[i].passed ? null : 'failed' })));
    } catch (e) {
      tests.replaceChildren(failure(e));
    }
  };
  run.addEventListener('click', () => show(true));
  show(false);
}

// ---------- playground ----------

async function viewPlayground(main) {
  main.append(el('h1', { text: 'Playground' }),
    el('p', { class: 'muted', text: 'Paste or upload an input in any shape the stream accepts (a CloudTrail record or log file, an EventBridge envelope, a Kubernetes audit Event or EventList). It is judged by the policies in force, as POST /v1/evaluate does: nothing is published, alerted or remembered.' }));
  const text = el('textarea', { id: 'playground-input', spellcheck: 'false', placeholder: '{"eventName": ...}' });
  const file = el('input', { type: 'file', id: 'playground-file' });
  const out = el('div', { id: 'playground-result' });
  let upload = null;
  file.addEventListener('change', async () => {
    upload = file.files[0] || null;
    if (upload && !/\.gz$/.test(upload.name)) { text.value = await upload.text(); upload = null; }
  });
  text.addEventListener('input', () => { upload = null; });
  const example = el('button', { class: 'secondary', type: 'button', text: 'Load the etcd outage example' });
  example.addEventListener('click', async () => {
    const res = await fetch('/examples/etcd-backups-lifecycle.json');
    text.value = await res.text();
  });
  const evaluate = el('button', { type: 'button', id: 'playground-evaluate', text: 'Evaluate' });
  evaluate.addEventListener('click', async () => {
    out.replaceChildren(el('p', { class: 'muted', text: 'evaluating…' }));
    try {
      const a = await api('/v1/evaluate', { method: 'POST', body: upload || text.value, headers: { 'Content-Type': 'application/json' } });
      out.replaceChildren(...renderEvaluation(a, upload || text.value));
    } catch (e) {
      out.replaceChildren(failure(e));
    }
  });
  main.append(text, el('p', {}, file, ' ', example, ' ', evaluate), out);
}

function renderEvaluation(answer, input) {
  const parts = [];
  answer.results.forEach((r, i) => {
    parts.push(el('div', { class: 'card result' },
      el('h2', { text: 'Event ' + (i + 1) + ': ' + (r.action || '') + ' on ' + describeTarget(r.target) }),
      el('p', { class: 'muted', text: (r.source || '') + ' · ' + describeActor(r.actor) + ' · ' + when(r.eventTime) + ' · ' + (r.eventId || '') }),
      (r.decisions || []).length === 0 ? el('p', { text: 'No policy objects.' })
        : table(['policy', 'action', 'severity', 'summary', 'runbook'],
          r.decisions.map((d) => [d.policy, badge(d.action), badge(d.severity), d.summary || '', runbookLink(d.runbook)]),
          (k) => ({ 'data-policy': r.decisions[k].policy }))));
  });
  if (answer.rejected && answer.rejected.length) {
    parts.push(el('div', { class: 'card' }, 'Not events:',
      el('ul', {}, answer.rejected.map((x) => el('li', { text: x.location + ': ' + x.message })))));
  }
  const policies = [...new Set(answer.results.flatMap((r) => (r.decisions || []).map((d) => d.policy)))];
  const pick = el('input', { id: 'case-policy', list: 'case-policies', placeholder: 'policy id', value: policies[0] || '' });
  const known = el('datalist', { id: 'case-policies' });
  api('/v1/policies').then((p) => p.policies.forEach((x) => known.append(el('option', { value: x.id })))).catch(() => {});
  const save = el('button', { type: 'button', class: 'secondary', id: 'save-case', text: 'Save as a test case' });
  const yaml = el('div', { id: 'case-yaml' });
  save.addEventListener('click', async () => {
    if (typeof input !== 'string') {
      yaml.replaceChildren(el('p', { class: 'error', text: 'A test case keeps its event as text: paste the input instead of uploading a compressed file.' }));
      return;
    }
    try {
      const text = await api('/v1/evaluate/test-case?policy=' + encodeURIComponent(pick.value), { method: 'POST', body: input, headers: { 'Content-Type': 'application/json' } });
      const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
      yaml.replaceChildren(
        el('p', {}, 'Save it as ', el('code', { text: 'rules/' + pick.value + '/tests/<name>.yaml' }), ': ',
          el('a', { href: url, download: 'playground-case.yaml', text: 'download' })),
        el('pre', { id: 'case-yaml-text', text }));
    } catch (e) {
      yaml.replaceChildren(failure(e));
    }
  });
  parts.push(el('div', { class: 'card' }, el('label', {}, 'Test case for ', pick), known, ' ', save, yaml));
  return parts;
}

// ---------- alerts ----------

async function viewAlerts(main) {
  main.append(el('h1', { text: 'Alerts' }));
  const open = el('div', { id: 'alerts' });
  const sinks = el('div', { id: 'sinks' });
  main.append(open, el('h2', { text: 'Sinks' }), sinks);
  const load = async () => {
    try {
      const alerts = await api('/v1/alerts');
      const bySeverity = {};
      alerts.forEach((a) => { bySeverity[a.severity] = (bySeverity[a.severity] || 0) + 1; });
      open.replaceChildren(
        el('p', {}, alerts.length + ' open ', Object.entries(bySeverity).map(([s, n]) => badge(n + ' ' + s, s))),
        alerts.length === 0 ? el('p', { class: 'muted', text: 'No open problem.' })
          : table(['policy', 'severity', 'target', 'summary', 'count', 'first', 'last', 'sinks', 'owed', ''],
            alerts.map((a) => [a.policy, badge(a.severity), a.target || '', a.summary || '', String(a.count),
              when(a.firstSeen), when(a.lastSeen), (a.sinks || []).join(', '),
              (a.owed || []).map((o) => o.sink).join(', '), resolveButton(a, load)]),
            (i) => ({ 'data-dedup-key': alerts[i].dedupKey })));
    } catch (e) {
      open.replaceChildren(failure(e));
    }
    try {
      const s = await api('/v1/alerts/sinks');
      sinks.replaceChildren(s.length === 0 ? el('p', { class: 'muted', text: 'No sink configured: problems are kept and listed here only.' })
        : table(['sink', 'type', 'circuit', 'failures in a row', 'backlog', 'last error', 'last success'],
          s.map((x) => [x.sink, x.type, badge(String(x.circuit).toLowerCase(), String(x.circuit).toLowerCase() === 'closed' ? 'closed' : 'open'),
            String(x.consecutiveFailures), String(x.backlog), x.lastError || '', when(x.lastSuccess)])));
    } catch (e) {
      sinks.replaceChildren(failure(e));
    }
  };
  await load();
  const timer = setInterval(load, 10000);
  return () => clearInterval(timer);
}

function resolveButton(a, reload) {
  const cell = el('span', {});
  const ask = el('button', { class: 'secondary resolve', type: 'button', text: 'Resolve…' });
  ask.addEventListener('click', () => {
    const yes = el('button', { type: 'button', class: 'confirm-resolve', text: 'Resolve' });
    const no = el('button', { type: 'button', class: 'secondary', text: 'Cancel' });
    cell.replaceChildren('Resolve ' + a.policy + ' on ' + (a.target || '') + '? ', yes, ' ', no);
    no.addEventListener('click', () => cell.replaceChildren(ask));
    yes.addEventListener('click', async () => {
      try {
        await api('/v1/alerts/' + encodeURIComponent(a.dedupKey) + '/resolve', {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ reason: 'resolved in the console' }),
        });
        cell.replaceChildren(el('span', { class: 'muted', text: 'resolving…' }));
        setTimeout(reload, 1000);
      } catch (e) {
        cell.replaceChildren(failure(e));
      }
    });
  });
  cell.append(ask);
  return cell;
}

// ---------- charts ----------

const COLORS = ['#1f5fbf', '#b3261e', '#c25400', '#3d6b35', '#6b4fa3', '#9a7400', '#00838f', '#5d6875'];

function chart(title, minutes, series, unit) {
  const w = 600, h = 180, pad = 30;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i) => pad + (i * (w - pad - 6)) / Math.max(1, minutes.length - 1);
  const y = (v) => h - 18 - (v * (h - 30)) / max;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  const text = (tx, ty, s) => { const t = document.createElementNS(ns, 'text'); t.setAttribute('x', tx); t.setAttribute('y', ty); t.textContent = s; svg.append(t); };
  text(2, 12, max + (unit || ''));
  text(2, h - 20, '0');
  if (minutes.length) {
    text(pad, h - 4, when(minutes[0]).slice(11, 16));
    text(w - 40, h - 4, when(minutes[minutes.length - 1]).slice(11, 16));
  }
  series.forEach((s, k) => {
    const p = document.createElementNS(ns, 'polyline');
    p.setAttribute('fill', 'none');
    p.setAttribute('stroke', COLORS[k % COLORS.length]);
    p.setAttribute('stroke-width', '1.5');
    p.setAttribute('points', s.values.map((v, i) => x(i) + ',' + y(v)).join(' '));
    svg.append(p);
  });
  return el('div', { class: 'card' }, el('h2', { text: title }), svg,
    el('div', { class: 'legend' }, series.map((s, k) =>
      el('span', {}, swatch(COLORS[k % COLORS.length]), s.name))));
}

// Set through the style object: the page's Content-Security-Policy allows no inline style attribute.
function swatch(color) {
  const i = el('i');
  i.style.background = color;
  return i;
}

async function viewCharts(main) {
  main.append(el('h1', { text: 'Charts (last hour, per minute)' }));
  const grid = el('div', { class: 'grid', id: 'charts' });
  main.append(grid);
  const load = async () => {
    try {
      const c = await api('/v1/console/charts');
      grid.replaceChildren(
        chart('Decisions per policy (all instances)', c.minutes,
          Object.entries(c.decisionsByPolicy).map(([name, values]) => ({ name, values }))),
        chart('Dead letters (this instance)', c.minutes, [{ name: 'dead letters', values: c.deadLetters }]),
        chart('Decision lag from arrival (this instance)', c.minutes,
          [{ name: 'mean', values: c.lagMeanMs }, { name: 'max', values: c.lagMaxMs }], ' ms'));
      if (c.problem) grid.prepend(el('p', { class: 'error', text: c.problem }));
    } catch (e) {
      grid.replaceChildren(failure(e));
    }
  };
  await load();
  const timer = setInterval(load, 15000);
  return () => clearInterval(timer);
}

// ---------- routing ----------

const ROUTES = {
  decisions: viewDecisions,
  decision: viewDecision,
  policies: viewPolicies,
  playground: viewPlayground,
  alerts: viewAlerts,
  charts: viewCharts,
};

async function route() {
  stopView();
  stopView = () => {};
  const hash = location.hash.replace(/^#\/?/, '') || 'decisions';
  const [path, query] = hash.split('?');
  const [name, ...rest] = path.split('/');
  const view = ROUTES[name] || viewDecisions;
  document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active', a.dataset.nav === name));
  // Each view draws into a fresh element, so a slow view the user has left draws nowhere.
  const main = el('div');
  document.getElementById('view').replaceChildren(main);
  const arg = name === 'decision' ? decodeURIComponent(rest.join('/')) : query || '';
  const generation = ++routes;
  const stop = await view(main, arg);
  if (typeof stop !== 'function') return;
  // The user may have moved on while the view loaded: stop it at once then.
  if (generation === routes) stopView = stop; else stop();
}

async function start() {
  try {
    const s = await api('/v1/console/session');
    session.csrf = s.csrf || null;
    session.tokenRequired = s.tokenRequired;
    document.getElementById('logout').hidden = s.via !== 'cookie';
  } catch (e) {
    if (e.status === 401) return;
    document.getElementById('view').append(failure(e));
  }
  window.addEventListener('hashchange', route);
  route();
}

start();
