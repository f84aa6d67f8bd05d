// "Make a small example capture" (panel 7): three TCP conversations whose frames and
// handshakes are built by the engine (encodeFrame, Encoder, build/negotiate handshake) and
// whose packets — Ethernet, IPv4, TCP with checksums, a pcap file — are written by the
// engine's capture crate through wsprism-web's writeCapture. Nothing here builds a header.

/** The example capture as a File (wsprism-example.pcap). W: the initialized wsprism-web. */
export function makeExampleCapture(W) {
  const SERVER = '10.0.0.1:8080';
  const c2s = (data, more) => Object.assign({ from: 'client', data }, more);
  const s2c = (data, more) => Object.assign({ from: 'server', data }, more);

  // 1: the RFC's "Hello" (its first frame cut across two TCP segments, the server's answer
  // retransmitted), a ping and its pong, a fragmented message, a close
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const enc = new W.Encoder({ role: 'client' });
  const fragmented = enc.message('{"type":"chat","text":"hello, websocket"}', { fragmentSize: 16, mask: 'a1b2c3d4' });
  enc.free();
  const chat = {
    client: '10.0.0.2:50312',
    server: SERVER,
    segments: [
      c2s(W.buildHandshakeRequest({ host: SERVER, path: '/chat', key, protocols: ['chat', 'superchat'] })),
      s2c(W.buildHandshakeResponse({ key, protocol: 'chat' })),
      c2s(W.encodeFrame({ opcode: 1, payload: 'Hello', mask: '37fa213d' }), { cuts: [3] }),
      s2c(W.encodeFrame({ opcode: 1, payload: 'Hello' }), { retransmit: true }),
      s2c(W.encodeFrame({ opcode: 9, payload: 'are you there?' })),
      c2s(W.encodeFrame({ opcode: 10, payload: 'are you there?', mask: '0a0b0c0d' })),
      c2s(fragmented),
      c2s(W.encodeFrame({ opcode: 8, payload: new Uint8Array([0x03, 0xe8, 0x62, 0x79, 0x65]), mask: '11223344' })),
      s2c(W.encodeFrame({ opcode: 8, payload: new Uint8Array([0x03, 0xe8]) })),
    ],
  };

  // 2: permessage-deflate with context takeover: the second copy of a message costs a few bytes
  const offer = 'permessage-deflate; client_max_window_bits';
  const neg = W.negotiatePerMessageDeflate(offer, true);
  const feedKey = 'x3JJHMbDL1EzLkh9GBhXDw==';
  const ce = new W.Encoder({ role: 'client', perMessageDeflate: neg.params });
  const se = new W.Encoder({ role: 'server', perMessageDeflate: neg.params });
  const quote = '{"type":"quote","symbol":"WSPR","price":101.25,"note":"compressed with permessage-deflate"}';
  const feed = {
    client: '10.0.0.3:50400',
    server: SERVER,
    segments: [
      c2s(W.buildHandshakeRequest({ host: SERVER, path: '/feed', key: feedKey, extensions: offer })),
      s2c(W.buildHandshakeResponse({ key: feedKey, extensions: neg.response })),
      c2s(ce.message('subscribe WSPR', { compress: true })),
      s2c(se.message(quote, { compress: true })),
      s2c(se.message(quote, { compress: true })),
    ],
  };
  ce.free();
  se.free();

  // 3: a client that forgets to mask: a server must fail the connection (1002, RFC 6455 §5.1)
  const badKey = 'AQIDBAUGBwgJCgsMDQ4PEC==';
  const unmasked = {
    client: '10.0.0.4:50500',
    server: SERVER,
    segments: [
      c2s(W.buildHandshakeRequest({ host: SERVER, path: '/chat', key: badKey })),
      s2c(W.buildHandshakeResponse({ key: badKey })),
      c2s(W.encodeFrame({ opcode: 1, payload: 'not masked' })),
    ],
  };

  // packets 12.5 ms apart from 2024-11-22 01:46:40 UTC
  const pcap = W.writeCapture([chat, feed, unmasked], { start: 1732240000, stepUs: 12500 });
  return new File([pcap], 'wsprism-example.pcap', { type: 'application/vnd.tcpdump.pcap' });
}
