// Switchboard console: chat with a vertical over the gateway's chat socket, and typed turns
// during a softphone call. Plain browser JavaScript, no build step; app.js owns navigation
// and the softphone (window.switchboardConsole), this file registers the chat page.
const state = window.switchboardConsole;
const $ = (id) => document.getElementById(id);

/** Builds an element; children are nodes or text (text is never parsed as HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

const chatStatus = (text, error = false) => {
  const el = $('chat-status');
  el.textContent = text;
  el.classList.toggle('error', error);
};

// For tests and the curious: the chat's live state.
const chat = { ws: null, callSid: null, live: false, errors: [] };
state.chat = chat;

function setLive(live) {
  chat.live = live;
  $('chat-input').disabled = !live;
  $('chat-send').disabled = !live;
  $('chat-end').disabled = !live;
  $('chat-start').disabled = live || !state.config?.chat;
}

function say(m) {
  const who = m.role === 'caller' ? 'You' : m.role === 'assistant' ? `Agent${m.agent ? ` · ${m.agent}` : ''}` : 'System';
  $('chat-transcript').append(h('li', { class: `${m.role}${m.interrupted ? ' interrupted' : ''}` }, h('span', { class: 'who' }, who), m.text));
}

/** Tools and handoffs in the order they happened (their records may arrive in another). */
function activity(cls, at, who, ...body) {
  const li = h('li', { class: cls, 'data-at': at ?? '' }, h('span', { class: 'who' }, who), ...body);
  const list = $('chat-activity');
  const later = at === null || at === undefined ? undefined : [...list.children].find((x) => x.dataset.at !== '' && Number(x.dataset.at) > at);
  list.insertBefore(li, later ?? null);
  return li;
}

/** One line per tool call: its start, then its outcome on the same line. */
const runningTools = [];
function tool(m) {
  if (m.status === 'running') {
    const li = activity('tool', m.offsetMs, `Tool · ${m.agent ?? ''} · running`, h('code', {}, m.name));
    li.dataset.tool = m.name;
    li.dataset.status = 'running';
    runningTools.push(li);
    return;
  }
  const i = runningTools.findIndex((li) => li.dataset.tool === m.name);
  const li = i >= 0 ? runningTools.splice(i, 1)[0] : activity('tool', m.offsetMs, '', h('code', {}, m.name));
  li.dataset.status = m.status;
  li.querySelector('.who').textContent = `Tool · ${m.agent ?? ''} · ${m.status}${m.errorCode ? ` ${m.errorCode}` : ''}${m.durationMs !== undefined ? ` · ${m.durationMs} ms` : ''}`;
}

function onMessage(m) {
  switch (m.type) {
    case 'started':
      chat.callSid = m.callSid;
      document.body.dataset.chat = m.callSid;
      setLive(true);
      return chatStatus(`Chatting with ${m.vertical}.`);
    case 'transcript':
      return say(m);
    case 'handoff':
      return void activity('handoff', m.offsetMs, 'Handoff', `${m.from} → ${m.to}`);
    case 'tool':
      return tool(m);
    case 'error':
      chat.errors.push(m);
      return chatStatus(`${m.code}: ${m.message}`, true);
    case 'ended':
      setLive(false);
      return chatStatus(`Chat ended (${m.endReason}).`);
    default:
      return undefined;
  }
}

function startChat() {
  const vertical = $('chat-vertical').value;
  $('chat-transcript').replaceChildren();
  $('chat-activity').replaceChildren();
  runningTools.length = 0;
  chat.errors = [];
  chat.callSid = null;
  $('chat-start').disabled = true;
  chatStatus('Connecting…');
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/console/api/chat`);
  chat.ws = ws;
  ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'start', vertical })));
  ws.addEventListener('message', (e) => {
    try {
      onMessage(JSON.parse(e.data));
    } catch (err) {
      chatStatus(`Unreadable message from the gateway: ${err.message}`, true);
    }
  });
  ws.addEventListener('close', (e) => {
    if (chat.ws !== ws) return;
    const wasLive = chat.live;
    setLive(false);
    if (wasLive) chatStatus(`Chat closed (${e.reason || e.code}).`, e.code !== 1000);
    else if (!chat.callSid) chatStatus(chat.errors.length ? $('chat-status').textContent : 'The chat could not be opened.', true);
  });
}

$('chat-start').addEventListener('click', () => startChat());
$('chat-end').addEventListener('click', () => chat.ws?.send(JSON.stringify({ type: 'end' })));
$('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('chat-input').value.trim();
  if (!text || !chat.live) return;
  chat.ws.send(JSON.stringify({ type: 'message', text }));
  $('chat-input').value = '';
});

state.pages.chat = {
  enter() {
    const select = $('chat-vertical');
    if (select.options.length === 0) select.replaceChildren(...state.verticals.map((v) => h('option', { value: v.id }, `${v.name} (${v.id})`)));
    if (!state.config.chat) chatStatus('This gateway has no chat carrier registered.', true);
    setLive(chat.live);
  },
};

// ---- typed turns during a softphone call --------------------------------------------------
// The form is usable while the softphone has a call (its hang-up button is enabled).
const hangup = $('call-hangup');
const syncTypeForm = () => {
  $('call-type-input').disabled = hangup.disabled;
  $('call-type-send').disabled = hangup.disabled;
};
new MutationObserver(syncTypeForm).observe(hangup, { attributes: true, attributeFilter: ['disabled'] });
syncTypeForm();

$('call-type').addEventListener('submit', async (e) => {
  e.preventDefault();
  const call = state.call;
  const input = $('call-type-input');
  const text = input.value.trim();
  if (!text || !call?.callSid || call.ended) return;
  const el = $('call-status');
  const res = await fetch(`/console/api/calls/${encodeURIComponent(call.callSid)}/messages`, {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }),
  }).catch((err) => ({ ok: false, json: async () => ({ error: { code: 'NETWORK', message: err.message } }) }));
  if (res.ok) {
    input.value = '';
    return;
  }
  const body = await res.json().catch(() => ({}));
  el.textContent = `${body?.error?.code ?? 'ERROR'}: ${body?.error?.message ?? 'the message was not sent'}`;
  el.classList.add('error');
});
