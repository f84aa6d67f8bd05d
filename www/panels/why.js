// Panel 8, "Why it is built this way": each button loads a live example into another panel.
// The panels it drives are passed in; this module owns only its buttons (data-why).

/**
 * The why panel in `root` (section#why).
 * panels: { decode, handshake, stream, live } as created by main.js.
 */
export function createWhyPanel(root, { decode, handshake, stream, live }) {
  const inDecoder = (name) => () => {
    decode.loadExample(name);
    decode.show();
  };
  const liveThen = (msg) => () => {
    live.show();
    live.connect().then(() => live.send(msg)).catch(() => {});
  };
  const actions = {
    masked: inDecoder('rfc-masked'),
    'unmasked-to-server': () => {
      decode.load(decode.example('rfc-unmasked').hex, 'server', false, 0);
      decode.show();
    },
    live: liveThen('Hello'),
    accept: () => {
      handshake.setKey(handshake.RFC_KEY);
      handshake.show();
    },
    badaccept: () => {
      handshake.loadExample('res-bad');
      handshake.show();
    },
    ping: inDecoder('java-ping'),
    fragping: inDecoder('bad-fragping'),
    interleave: () => {
      stream.loadExample('mdn');
      stream.show();
    },
    socketio: inDecoder('socketio'),
    liveping: liveThen('/ping'),
  };
  for (const b of root.querySelectorAll('[data-why]')) {
    const act = actions[b.getAttribute('data-why')];
    if (!act) throw new Error('#why: no action for data-why="' + b.getAttribute('data-why') + '"');
    b.addEventListener('click', act);
  }
  return { root };
}
