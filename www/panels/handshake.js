// Panel 3, "Handshake": Sec-WebSocket-Key → Sec-WebSocket-Accept step by step (the engine's
// acceptKeySteps), and a request or response head validated by the engine, with the response
// a server would send (buildHandshakeResponse) or the reason a client must fail.
import { el, clear, elements, show } from '../lib/dom.js';
import { spaced, textOf } from '../lib/hex.js';
import { errText, header } from '../lib/format.js';

/** The panel's words (English). */
export const TEXT = {
  step1: 'Append the fixed GUID from RFC 6455 §1.3 to the key:',
  step2: (n) => 'SHA-1 of those ' + n + ' ASCII bytes (20 bytes):',
  step3: 'Base64 of the 20 bytes:',
  step4: 'The engine\'s acceptKey(key), the value for Sec-WebSocket-Accept:',
  same: ' ✓ equals the engine\'s acceptKey(key), below',
  differs: ' ✗ differs from the engine\'s acceptKey(key), below',
  notHttp: (e) => 'Not a valid HTTP head: ' + e,
  refuse: (v) => '✗ A server must refuse this request with ' + v.status + ': ' + v.message,
  rejection: 'The rejection the engine builds',
  validRequest: (v) => '✓ A valid WebSocket upgrade request (RFC 6455 §4.2.1) for ' + v.path + ' on ' + v.host + (v.origin ? ', from a page of ' + v.origin : '') + '.',
  headers: 'Headers',
  answers: 'What a server answers',
  accept: ['Sec-WebSocket-Accept: ', ' (the key ', ' with the GUID, SHA-1, base64)'],
  protocols: (list) => ['Subprotocols offered: ' + list.join(', ') + '. The server picks at most one (this demo picks the first, ', ') and echoes it in Sec-WebSocket-Protocol; if it names none, the client must assume none.'],
  noProtocol: 'No subprotocol offered: the server must not send Sec-WebSocket-Protocol.',
  extensions: (list) => 'Extensions offered: ' + list.map((x) => x.name + Object.keys(x.params).map((k) => '; ' + k + (x.params[k] === true ? '' : '=' + x.params[k])).join('')).join(', '),
  pmdAccepted: 'permessage-deflate accepted: ',
  pmdParams: (p) => '. Server → client: window 2^' + p.serverMaxWindowBits + (p.serverNoContextTakeover ? ', no context takeover' : ', context takeover') +
    '; client → server: window 2^' + p.clientMaxWindowBits + (p.clientNoContextTakeover ? ', no context takeover' : ', context takeover') + '. Each side then sets RSV1 on compressed messages.',
  noPmd: 'No acceptable permessage-deflate offer: messages stay uncompressed, RSV1 stays clear.',
  noExtensions: 'No extensions offered: no compression, RSV1-3 must be clear.',
  response101: 'the 101 response',
  incomplete: 'Incomplete head: a blank line must end it.',
  validResponse: (key) => '✓ A valid answer (RFC 6455 §4.1) to a request with the key ' + key + ' (from the field on the left), offering subprotocols chat, superchat and permessage-deflate.',
  failResponse: (r) => '✗ A client must fail this connection: ' + (r.message || ('status ' + r.status)),
  status: (r) => 'Status ' + r.status + ' ' + r.reason + (r.status === 101 ? '' : ' — only 101 switches to WebSocket'),
  acceptCheck: (ok) => ['Sec-WebSocket-Accept ', ok ? ' matches ' : ' does not match ', ' computed from the key'],
  chosen: (p) => 'Subprotocol chosen by the server: ' + p,
  agreed: (p) => (p ? 'permessage-deflate agreed: server window 2^' + p.serverMaxWindowBits + ', client window 2^' + p.clientMaxWindowBits +
    (p.serverNoContextTakeover ? ', server no context takeover' : '') + (p.clientNoContextTakeover ? ', client no context takeover' : '') : 'no compression'),
};

const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** The panel's example heads (data-hs buttons); some use the key in the field. */
function examples(W, key) {
  const req = 'GET /chat HTTP/1.1\nHost: server.example.com\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: ' + RFC_KEY +
    '\nOrigin: http://example.com\nSec-WebSocket-Protocol: chat, superchat\nSec-WebSocket-Version: 13\n';
  return {
    req: () => req,
    'req-pmd': () => 'GET /demo HTTP/1.1\nHost: 127.0.0.1:8080\nConnection: Upgrade\nPragma: no-cache\nUpgrade: websocket\nOrigin: http://127.0.0.1:8080\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: ' +
      key() + '\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\n',
    'req-bad': () => req.replace('Version: 13', 'Version: 12'),
    res: () => 'HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Accept: ' + W.acceptKey(key()) + '\nSec-WebSocket-Protocol: chat\n',
    'res-bad': () => 'HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Accept: ' + RFC_KEY + '\n',
  };
}

// A head as typed (LF or CRLF lines, maybe without the blank line) → CRLF lines and the blank line.
function crlf(s) {
  const t = s.replace(/\r?\n/g, '\r\n').replace(/^\s+/, '').replace(/(\r\n)*$/, '');
  return t + '\r\n\r\n';
}

function headerTable(headers) {
  return el('table', { class: 'kvt' }, el('tbody', null, headers.map((h) => el('tr', null, [el('th', { scope: 'row' }, h[0]), el('td', { class: 'mono brk' }, h[1])]))));
}

/**
 * The handshake panel in `root` (section#handshake).
 * Returns { root, render(), setKey(key), loadExample(name), show() }.
 */
export function createHandshakePanel(root, { W, text = TEXT }) {
  const ui = elements(root, { key: 'hs-key', randKey: 'hs-randkey', steps: 'hs-steps', input: 'hs-input', result: 'hs-result' });
  const key = () => ui.key.value.trim();
  const HS = examples(W, key);

  function renderAccept() {
    const box = clear(ui.steps);
    let s;
    let accept;
    try {
      s = W.acceptKeySteps(key());
      accept = W.acceptKey(key());
    } catch (e) {
      box.appendChild(el('li', { class: 'bad' }, errText(e)));
      return;
    }
    box.appendChild(el('li', null, [text.step1, el('code', { class: 'brk' }, s.concatenated)]));
    box.appendChild(el('li', null, [text.step2(new TextEncoder().encode(s.concatenated).length), el('code', { class: 'brk' }, spaced(s.sha1Hex))]));
    box.appendChild(el('li', null, [text.step3, el('code', null, s.accept),
      el('span', { class: s.accept === accept ? 'ok' : 'bad' }, s.accept === accept ? text.same : text.differs)]));
    box.appendChild(el('li', null, [text.step4, el('code', { id: 'hs-accept' }, accept)]));
  }

  function renderRequest(box, head) {
    const v = W.validateHandshakeRequest(head);
    if (!v.ok) {
      box.appendChild(el('p', { class: 'bad' }, text.refuse(v)));
      box.appendChild(el('h3', null, text.rejection));
      box.appendChild(el('pre', { class: 'http' }, textOf(v.response) || ''));
      return;
    }
    box.appendChild(el('p', { class: 'ok' }, text.validRequest(v)));
    const left = el('div');
    const right = el('div');
    left.appendChild(el('h3', null, text.headers));
    left.appendChild(headerTable(v.headers));
    right.appendChild(el('h3', null, text.answers));
    const ul = el('ul', { class: 'events' });
    const [a0, a1, a2] = text.accept;
    ul.appendChild(el('li', null, [a0, el('code', null, v.accept), a1, el('code', null, v.key), a2]));
    if (v.protocols.length) {
      const [p0, p1] = text.protocols(v.protocols);
      ul.appendChild(el('li', null, [p0, el('code', null, v.protocols[0]), p1]));
    } else ul.appendChild(el('li', null, text.noProtocol));
    let neg = null;
    if (v.extensions.length) {
      ul.appendChild(el('li', null, text.extensions(v.extensions)));
      try {
        neg = W.negotiatePerMessageDeflate(v.extensions, true);
      } catch (e) {
        ul.appendChild(el('li', { class: 'bad' }, errText(e)));
      }
      if (neg) ul.appendChild(el('li', null, [text.pmdAccepted, el('code', null, neg.response), text.pmdParams(neg.params)]));
      else ul.appendChild(el('li', null, text.noPmd));
    } else ul.appendChild(el('li', null, text.noExtensions));
    right.appendChild(ul);
    const resp = W.buildHandshakeResponse({ key: v.key, protocol: v.protocols[0], extensions: neg ? neg.response : undefined });
    right.appendChild(el('pre', { class: 'http', 'aria-label': text.response101 }, textOf(resp)));
    box.appendChild(el('div', { class: 'grid2' }, [left, right]));
  }

  function renderResponse(box, head) {
    const k = key();
    const r = W.parseHandshakeResponse(head, { key: k, protocols: ['chat', 'superchat'], extensions: ['permessage-deflate'] });
    if (!r.complete) {
      box.appendChild(el('p', { class: 'bad' }, text.incomplete));
      return;
    }
    box.appendChild(el('p', { class: r.ok ? 'ok' : 'bad' }, r.ok ? text.validResponse(k) : text.failResponse(r)));
    box.appendChild(headerTable(r.headers));
    const acc = header(r.headers, 'sec-websocket-accept');
    let expected = null;
    try {
      expected = W.acceptKey(k);
    } catch {
      // a bad key: nothing to compare with
    }
    const ul = el('ul', { class: 'events' });
    ul.appendChild(el('li', null, [text.status(r)]));
    if (acc != null) {
      const [c0, c1, c2] = text.acceptCheck(acc === expected);
      ul.appendChild(el('li', null, [c0, el('code', null, acc), c1, el('code', null, String(expected)), c2]));
    }
    if (r.protocol) ul.appendChild(el('li', null, text.chosen(r.protocol)));
    const ext = header(r.headers, 'sec-websocket-extensions');
    if (ext) {
      try {
        ul.appendChild(el('li', null, text.agreed(W.acceptPerMessageDeflate(ext, true))));
      } catch (e) {
        ul.appendChild(el('li', { class: 'bad' }, errText(e)));
      }
    }
    box.appendChild(ul);
  }

  function render() {
    const box = clear(ui.result);
    const raw = ui.input.value;
    if (!raw.trim()) return;
    const head = crlf(raw);
    try {
      if (/^HTTP\//.test(head)) renderResponse(box, head);
      else renderRequest(box, head);
    } catch (e) {
      box.appendChild(el('p', { class: 'bad' }, text.notHttp(errText(e))));
    }
  }

  function setKey(k) {
    ui.key.value = k;
    renderAccept();
    render();
  }
  function loadExample(name) {
    ui.input.value = HS[name]();
    render();
  }

  ui.key.addEventListener('input', () => {
    renderAccept();
    render();
  });
  ui.randKey.addEventListener('click', () => setKey(W.generateKey()));
  ui.input.addEventListener('input', render);
  for (const b of root.querySelectorAll('[data-hs]')) b.addEventListener('click', () => loadExample(b.getAttribute('data-hs')));

  renderAccept();
  loadExample('req');

  return { root, render, setKey, loadExample, RFC_KEY, show: () => show(root) };
}
