// The temp app's entry: bundled by esbuild from `import ... from 'wsprism-web'` (the packed
// tarball installed with npm), then run in Chromium by wasm-chromium.test.mjs.
import { init, Decoder, encodeFrame, acceptKey, FrameDecoderStream } from 'wsprism-web';

window.__app = (async () => {
  await init();
  const frame = encodeFrame({ opcode: 1, payload: new TextEncoder().encode('Hello'), mask: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]) });
  const hex = Array.from(frame, (b) => b.toString(16).padStart(2, '0')).join('');
  const events = new Decoder({ role: 'server' }).push(frame);
  return {
    hex,
    text: new TextDecoder().decode(events[0].data),
    accept: acceptKey('dGhlIHNhbXBsZSBub25jZQ=='),
    stream: typeof FrameDecoderStream,
  };
})().catch((e) => ({ error: String(e && e.stack || e) }));
