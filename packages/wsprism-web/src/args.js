// Argument checks shared by wsprism-web's two entries (src/api.js for the codec,
// src/capture-api.js for captures): coded errors and the byte-argument normalization, written
// once. The classic-script bundles (scripts/build-classic.mjs) inline this file before the API.
export function createArgs() {
  'use strict';
  function codedError(Ctor, code, message) {
    const e = new Ctor(message);
    e.code = code;
    return e;
  }

  function typeError(name, expected) {
    return codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}`);
  }

  // Intrinsic getters: they throw for anything that is not a genuine typed array / DataView /
  // ArrayBuffer (proxies included) and cannot be shadowed by own properties.
  const TA = Object.getPrototypeOf(Uint8Array.prototype);
  const desc = (o, k) => Object.getOwnPropertyDescriptor(o, k).get;
  const taLength = desc(TA, 'length');
  const taBuffer = desc(TA, 'buffer');
  const taByteOffset = desc(TA, 'byteOffset');
  const taByteLength = desc(TA, 'byteLength');
  const dvBuffer = desc(DataView.prototype, 'buffer');
  const dvByteOffset = desc(DataView.prototype, 'byteOffset');
  const dvByteLength = desc(DataView.prototype, 'byteLength');
  const abByteLength = desc(ArrayBuffer.prototype, 'byteLength');

  // Length of a genuine Uint8Array (Buffer included), or -1. The intrinsic getter gives the
  // true length (an own `length` property cannot fake it) and throws for a Proxy.
  function u8Length(x) {
    if (!(x instanceof Uint8Array)) return -1;
    try {
      return taLength.call(x);
    } catch {
      return -1;
    }
  }

  // A fresh Uint8Array over the bytes of any ArrayBufferView or ArrayBuffer (no copy); a string
  // passes as is when `allowString`.
  function bytesOf(x, name, allowString) {
    if (typeof x === 'string') {
      if (allowString) return x;
      throw typeError(name, 'a Uint8Array, Buffer, ArrayBufferView or ArrayBuffer');
    }
    if (x !== null && typeof x === 'object') {
      if (ArrayBuffer.isView(x)) {
        try {
          return new Uint8Array(taBuffer.call(x), taByteOffset.call(x), taByteLength.call(x));
        } catch {
          try {
            return new Uint8Array(dvBuffer.call(x), dvByteOffset.call(x), dvByteLength.call(x));
          } catch {
            /* fall through */
          }
        }
      } else {
        try {
          abByteLength.call(x);
          return new Uint8Array(x);
        } catch {
          /* fall through */
        }
      }
    }
    throw typeError(name, allowString
      ? 'a string, Uint8Array, Buffer, ArrayBufferView or ArrayBuffer'
      : 'a Uint8Array, Buffer, ArrayBufferView or ArrayBuffer');
  }

  return { codedError, typeError, u8Length, bytesOf };
}
