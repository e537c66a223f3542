// Switchboard console: plain browser JavaScript, no build step and nothing fetched from elsewhere.
// Pages: call (WebRTC softphone), verticals (agent graphs), live calls, history.
const api = (path, init) => fetch(`/console/api${path}`, { credentials: 'same-origin', ...init });
const $ = (id) => document.getElementById(id);

/** Builds an element; children are nodes or text (text is never parsed as HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}
const svg = (tag, attrs = {}, ...children) => {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
};
const time = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const seconds = (ms) => (ms === null || ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`);

async function json(res) {
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

const state = { config: null, verticals: [], call: null, pages: {} };
// For tests and the curious: the softphone's live objects.
window.switchboardConsole = state;

// ---- navigation --------------------------------------------------------------------------
function show() {
  const [page, arg] = (location.hash.slice(1) || 'call').split('/');
  for (const s of document.querySelectorAll('.page')) s.hidden = s.id !== `page-${page}`;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.page === page);
  for (const fn of Object.values(state.pages)) fn.leave?.();
  state.pages[page]?.enter?.(arg);
}
window.addEventListener('hashchange', show);

// ---- records of one call (shared by the softphone, live and history) ---------------------
function renderTranscript(list, items) {
  list.replaceChildren(...items.map((t) => h('li', { class: `${t.role}${t.interrupted ? ' interrupted' : ''}` },
    h('span', { class: 'who' }, t.role === 'caller' ? 'Caller' : `Agent${t.agent ? ` · ${t.agent}` : ''}${t.interrupted ? ' · interrupted' : ''}`), t.text)));
}
function renderActivity(list, detail) {
  const rows = [
    ...detail.handoffs.map((x) => ({ at: x.offsetMs ?? 0, el: h('li', { class: 'handoff' }, h('span', { class: 'who' }, 'Handoff'), `${x.from} → ${x.to}`) })),
    ...detail.tools.map((t) => ({ at: Date.parse(t.startedAt) - Date.parse(detail.call.startedAt), el: h('li', { class: 'tool' }, h('span', { class: 'who' }, `Tool · ${t.agent ?? ''} · ${t.status}${t.durationMs !== null ? ` · ${t.durationMs} ms` : ''}`), h('code', {}, t.name), h('pre', {}, JSON.stringify(t.arguments))) })),
  ].sort((a, b) => a.at - b.at);
  list.replaceChildren(...rows.map((r) => r.el));
}
function latencyTable(latency) {
  const turns = new Map();
  for (const l of latency) {
    const key = l.turn ?? '—';
    if (!turns.has(key)) turns.set(key, {});
    turns.get(key)[l.metric] = l.valueMs;
  }
  const metrics = [...new Set(latency.map((l) => l.metric))];
  if (metrics.length === 0) return h('p', { class: 'hint' }, 'No latency samples.');
  return h('table', { class: 'calls latency' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Turn'), metrics.map((m) => h('th', {}, m)))),
    h('tbody', {}, [...turns].map(([turn, v]) => h('tr', {}, h('td', {}, String(turn)), metrics.map((m) => h('td', {}, v[m] === undefined ? '' : `${Math.round(v[m])} ms`))))));
}
function callDetailView(detail) {
  const c = detail.call;
  const transcript = h('ol', { class: 'transcript' });
  const activity = h('ol', { class: 'activity' });
  renderTranscript(transcript, detail.transcript);
  renderActivity(activity, detail);
  const a = detail.analysis;
  return h('div', { class: 'detail', id: `call-${c.id}` },
    h('h3', {}, `${c.vertical} · ${c.callSid}`),
    h('dl', {},
      h('dt', {}, 'Status'), h('dd', { class: 'call-status' }, `${c.status}${c.endReason ? ` (${c.endReason})` : ''}`),
      h('dt', {}, 'Channel'), h('dd', { class: 'call-channel' }, c.channel ?? c.carrier ?? ''),
      h('dt', {}, 'Started'), h('dd', {}, time(c.startedAt)),
      h('dt', {}, 'Duration'), h('dd', {}, seconds(c.durationMs))),
    h('div', { class: 'columns' },
      h('div', {}, h('h4', {}, 'Transcript'), transcript),
      h('div', {}, h('h4', {}, 'Tools and handoffs'), activity)),
    h('h4', {}, 'Latency per turn'), latencyTable(detail.latency),
    h('h4', {}, 'Post-call analysis'),
    a ? h('dl', { class: 'analysis' },
      h('dt', {}, 'Summary'), h('dd', {}, a.summary ?? ''),
      h('dt', {}, 'Sentiment'), h('dd', {}, typeof a.sentiment === 'object' && a.sentiment ? Object.entries(a.sentiment).map(([k, v]) => `${k}: ${v}`).join(' · ') : String(a.sentiment ?? '')),
      h('dt', {}, 'Intent'), h('dd', {}, String(a.intent ?? '')),
      h('dt', {}, 'Lead score'), h('dd', {}, `${a.leadScore ?? ''}${a.leadReasons?.length ? ` (${a.leadReasons.join('; ')})` : ''}`),
      h('dt', {}, 'Analyser'), h('dd', {}, `${a.analyser}${a.model ? ` · ${a.model}` : ''}`),
      h('dt', {}, 'Fields'), h('dd', {}, h('pre', {}, JSON.stringify(a.fields ?? {}, null, 1))))
      : h('p', { class: 'hint no-analysis' }, c.status === 'completed' || c.status === 'failed' ? 'Not analysed yet.' : 'Analysed when the call ends.'));
}

// ---- softphone ---------------------------------------------------------------------------
const status = (text, error = false) => {
  const el = $('call-status');
  el.textContent = text;
  el.classList.toggle('error', error);
};

function gatheringDone(pc, timeoutMs = 3000) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, timeoutMs);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); }
    });
  });
}

function meter(stream) {
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const data = new Float32Array(analyser.fftSize);
  const tick = () => {
    if (!state.call || state.call.ended) return void ctx.close();
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += v * v;
    const rms = Math.sqrt(sum / data.length);
    state.call.remoteLevel = rms;
    state.call.peakLevel = Math.max(state.call.peakLevel, rms);
    $('call-level').style.width = `${Math.min(100, rms * 400)}%`;
    requestAnimationFrame(tick);
  };
  tick();
}

function follow(callSid, onDetail) {
  const es = new EventSource(`/console/api/calls/${encodeURIComponent(callSid)}/events`);
  es.addEventListener('call', (e) => onDetail(JSON.parse(e.data)));
  es.addEventListener('end', () => es.close());
  es.addEventListener('problem', (e) => { if (JSON.parse(e.data).message?.startsWith('no call')) es.close(); });
  return es;
}

async function startCall() {
  const vertical = $('call-vertical').value;
  $('call-start').disabled = true;
  status('Asking for the microphone…');
  let mic;
  try {
    mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
  } catch (err) {
    $('call-start').disabled = false;
    return status(`No microphone: ${err.message}`, true);
  }
  const pc = new RTCPeerConnection({ iceServers: state.config.iceServers });
  const call = { pc, mic, vertical, callSid: null, ended: false, remoteLevel: 0, peakLevel: 0, events: null };
  state.call = call;
  const transceiver = pc.addTransceiver(mic.getAudioTracks()[0], { direction: 'sendrecv', streams: [mic] });
  // The gateway speaks G.711 μ-law only: offer it first (it refuses an offer without it).
  const caps = RTCRtpSender.getCapabilities?.('audio');
  const pcmu = caps?.codecs.filter((c) => c.mimeType.toLowerCase() === 'audio/pcmu');
  if (pcmu?.length && transceiver.setCodecPreferences) transceiver.setCodecPreferences(pcmu);
  pc.addEventListener('track', (e) => {
    const stream = e.streams[0] ?? new MediaStream([e.track]);
    $('call-audio').srcObject = stream;
    meter(stream);
  });
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'connected') status(`In call with ${vertical}.`);
    if (pc.connectionState === 'failed') endCall('The connection to the gateway failed.', true);
  });
  status('Connecting…');
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await gatheringDone(pc);
    const answer = await json(await api('/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vertical, sdp: pc.localDescription.sdp }) }));
    call.callSid = answer.callSid;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    $('call-hangup').disabled = false;
    call.events = follow(answer.callSid, (detail) => {
      renderTranscript($('call-transcript'), detail.transcript);
      renderActivity($('call-activity'), detail);
      if (detail.call.status === 'completed' || detail.call.status === 'failed') endCall(`Call ended (${detail.call.endReason ?? detail.call.status}).`);
    });
  } catch (err) {
    endCall(`Call failed: ${err.message}`, true);
  }
}

async function hangUp() {
  const call = state.call;
  if (!call || call.ended) return;
  $('call-hangup').disabled = true;
  if (call.callSid) await api(`/calls/${call.callSid}`, { method: 'DELETE' }).catch(() => undefined);
  endCall('Hung up.');
}

function endCall(text, error = false) {
  const call = state.call;
  if (!call || call.ended) return;
  call.ended = true;
  call.pc.close();
  for (const t of call.mic.getTracks()) t.stop();
  // Keep following the records until the call is finalised (the stream ends itself).
  $('call-start').disabled = false;
  $('call-hangup').disabled = true;
  $('call-level').style.width = '0';
  status(text, error);
}

state.pages.call = {
  enter() {
    const select = $('call-vertical');
    if (select.options.length === 0) select.replaceChildren(...state.verticals.map((v) => h('option', { value: v.id }, `${v.name} (${v.id})`)));
    if (!state.config.softphone) {
      $('call-start').disabled = true;
      status('This gateway has no WebRTC carrier registered.', true);
    }
  },
};
$('call-start').addEventListener('click', () => void startCall());
$('call-hangup').addEventListener('click', () => void hangUp());

// ---- verticals: agent graph as an SVG diagram -------------------------------------------
function graphSvg(v) {
  // Layers by handoff distance from the entry agent; agents nobody reaches go last.
  const byName = new Map(v.agents.map((a) => [a.name, a]));
  const layer = new Map([[v.entryAgent, 0]]);
  const queue = [v.entryAgent];
  while (queue.length) {
    const a = byName.get(queue.shift());
    for (const t of a?.handoffs ?? []) if (!layer.has(t) && byName.has(t)) { layer.set(t, layer.get(a.name) + 1); queue.push(t); }
  }
  const maxLayer = Math.max(0, ...layer.values());
  for (const a of v.agents) if (!layer.has(a.name)) layer.set(a.name, maxLayer + 1);
  const columns = [];
  for (const a of v.agents) (columns[layer.get(a.name)] ??= []).push(a);
  const W = 210, GAP_X = 70, GAP_Y = 24, LINE = 15;
  const boxH = (a) => 40 + Math.max(1, a.tools.length) * LINE;
  const pos = new Map();
  let height = 0;
  columns.forEach((col, i) => {
    let y = 20;
    for (const a of col ?? []) {
      pos.set(a.name, { x: 20 + i * (W + GAP_X), y, h: boxH(a) });
      y += boxH(a) + GAP_Y;
    }
    height = Math.max(height, y);
  });
  const width = 40 + columns.length * W + (columns.length - 1) * GAP_X;
  const edges = [];
  for (const a of v.agents) for (const t of a.handoffs) {
    const p = pos.get(a.name), q = pos.get(t);
    if (!p || !q) continue;
    const forward = q.x > p.x;
    const x1 = forward ? p.x + W : p.x + W / 2, y1 = forward ? p.y + p.h / 2 : p.y + p.h;
    const x2 = forward ? q.x : q.x + W / 2 + 12, y2 = forward ? q.y + q.h / 2 : q.y;
    const mx = (x1 + x2) / 2;
    const d = forward ? `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 2},${y2}` : `M${x1},${y1} C${x1 + 80},${y1 + 30} ${x2 + 80},${y2 - 30} ${x2},${y2 - 2}`;
    edges.push(svg('path', { class: 'handoff', d, 'marker-end': `url(#arrow-${v.id})` }, svg('title', {}, `${a.name} hands off to ${t}`)));
  }
  const nodes = v.agents.map((a) => {
    const p = pos.get(a.name);
    return svg('g', { class: `agent${a.name === v.entryAgent ? ' entry' : ''}`, transform: `translate(${p.x},${p.y})`, 'data-agent': a.name },
      svg('title', {}, a.description),
      svg('rect', { width: W, height: p.h, rx: 8 }),
      svg('text', { class: 'name', x: 10, y: 20 }, a.name + (a.name === v.entryAgent ? '  (entry)' : '')),
      a.tools.length ? a.tools.map((t, i) => svg('text', { class: 'tool', x: 12, y: 40 + i * LINE }, `⚙ ${t}`)) : svg('text', { class: 'tool', x: 12, y: 40 }, 'no tools'));
  });
  return svg('svg', { class: 'graph', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `agent graph of ${v.id}` },
    svg('defs', {}, svg('marker', { id: `arrow-${v.id}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#5d6878' }))),
    edges, nodes);
}

state.pages.verticals = {
  enter() {
    $('verticals-list').replaceChildren(...state.verticals.map((v) => h('div', { class: 'card', id: `vertical-${v.id}` },
      h('h3', {}, `${v.name} `, h('small', { class: 'hint' }, `${v.id} · ${v.version.slice(0, 10)}`)),
      v.description ? h('p', {}, v.description) : null,
      h('p', { class: 'hint' }, `Numbers: ${v.numbers.join(', ') || 'none'} · Greeting: “${v.greeting}”`),
      graphSvg(v),
      h('p', {}, h('button', { type: 'button', onclick: () => { $('call-vertical').value = v.id; location.hash = '#call'; } }, `Call ${v.name}`)))));
  },
};

// ---- live calls --------------------------------------------------------------------------
state.pages.live = {
  enter(arg) {
    this.es = new EventSource('/console/api/live');
    this.es.addEventListener('calls', (e) => {
      const calls = JSON.parse(e.data);
      $('live-empty').hidden = calls.length > 0;
      $('live-calls').replaceChildren(...calls.map((c) => h('tr', { onclick: () => this.open(c.callSid) },
        h('td', {}, time(c.startedAt)), h('td', {}, c.vertical), h('td', {}, c.channel ?? c.carrier ?? ''), h('td', {}, c.status), h('td', {}, c.callSid))));
      if (!this.detail && calls.length === 1) this.open(calls[0].callSid);
    });
    if (arg) this.open(arg);
  },
  open(callSid) {
    this.detail?.close();
    this.detail = follow(callSid, (d) => $('live-detail').replaceChildren(callDetailView(d)));
  },
  leave() {
    this.es?.close();
    this.detail?.close();
    this.es = this.detail = undefined;
  },
};

// ---- history -----------------------------------------------------------------------------
state.pages.history = {
  async enter(arg) {
    const { calls } = await json(await api('/calls?limit=100'));
    $('history-calls').replaceChildren(...calls.map((c) => h('tr', { 'data-call': c.callSid, onclick: () => { location.hash = `#history/${c.id}`; } },
      h('td', {}, time(c.startedAt)), h('td', {}, c.vertical), h('td', {}, c.channel ?? c.carrier ?? ''), h('td', {}, c.status), h('td', {}, c.endReason ?? ''), h('td', {}, seconds(c.durationMs)))));
    if (arg) $('history-detail').replaceChildren(callDetailView(await json(await api(`/calls/${encodeURIComponent(arg)}`))));
    else $('history-detail').replaceChildren();
  },
};

// ---- start -------------------------------------------------------------------------------
(async () => {
  state.config = await json(await api('/config'));
  $('logout').hidden = !state.config.tokenRequired;
  state.verticals = (await json(await api('/verticals'))).verticals;
  document.body.dataset.ready = 'true';
  show();
})().catch((err) => status(`The console could not load: ${err.message}`, true));
