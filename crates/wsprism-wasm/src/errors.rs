//! JS error objects: every failure crosses into JS as an `Error` (or `TypeError`/`RangeError`)
//! carrying a stable `code` property, plus `closeCode`/`rfcSection`/`offset` for protocol
//! errors and `status` for handshake errors.

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wsprism::{EncodeError, HandshakeError, HeaderError, ProtocolError};

/// `code` of a `TypeError` for an argument of the wrong type.
pub const INVALID_ARG_TYPE: &str = "ERR_INVALID_ARG_TYPE";
/// `code` of a `RangeError` for an argument outside its range (lengths, numbers, key sizes).
pub const OUT_OF_RANGE: &str = "ERR_OUT_OF_RANGE";
/// `code` of a `RangeError` for an argument with a value that is not accepted (e.g. a role).
pub const INVALID_ARG_VALUE: &str = "ERR_INVALID_ARG_VALUE";
/// `code` of an `Error` for an operation in the wrong state (e.g. a message in progress).
pub const INVALID_STATE: &str = "ERR_INVALID_STATE";
/// `code` of a `RangeError` when wasm memory cannot grow for an input.
pub const OUT_OF_MEMORY: &str = "ERR_OUT_OF_MEMORY";

fn set(obj: &JsValue, key: &str, value: JsValue) {
    // Setting a property on a fresh Error object cannot fail; ignore the impossible error.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
}

fn with_code(err: JsValue, code: &str) -> JsValue {
    set(&err, "code", JsValue::from_str(code));
    err
}

/// A `TypeError` with `code`.
pub fn type_error(code: &str, msg: &str) -> JsValue {
    with_code(js_sys::TypeError::new(msg).into(), code)
}

/// A `RangeError` with `code`.
pub fn range_error(code: &str, msg: &str) -> JsValue {
    with_code(js_sys::RangeError::new(msg).into(), code)
}

/// An `Error` with `code`.
pub fn error(code: &str, msg: &str) -> JsValue {
    with_code(js_sys::Error::new(msg).into(), code)
}

/// `TypeError ERR_INVALID_ARG_TYPE`: "`name` must be `expected`".
pub fn arg_type(name: &str, expected: &str) -> JsValue {
    type_error(
        INVALID_ARG_TYPE,
        &format!("The \"{name}\" argument must be {expected}"),
    )
}

/// `RangeError ERR_OUT_OF_RANGE`.
pub fn out_of_range(name: &str, expected: &str) -> JsValue {
    range_error(
        OUT_OF_RANGE,
        &format!("The value of \"{name}\" is out of range: it must be {expected}"),
    )
}

/// `RangeError ERR_OUT_OF_MEMORY`.
pub fn out_of_memory(len: usize) -> JsValue {
    range_error(
        OUT_OF_MEMORY,
        &format!("cannot allocate {len} bytes of WebAssembly memory"),
    )
}

/// A peer's protocol violation: `Error` with `code` (`WS_ERR_*`), `closeCode`, `rfcSection`,
/// `offset`, `kind` (`protocol`, `invalid_payload`, `message_too_big`) and, where the engine has
/// one, `detail` (the opcode, length or close code the violation is about).
pub fn protocol_error(e: &ProtocolError) -> JsValue {
    let err = with_code(js_sys::Error::new(&e.to_string()).into(), e.code());
    set(&err, "name", JsValue::from_str("WebSocketProtocolError"));
    set(&err, "closeCode", JsValue::from(e.close_code().0));
    set(&err, "rfcSection", JsValue::from_str(e.rfc_section()));
    set(&err, "offset", JsValue::from(e.offset as f64));
    set(&err, "kind", JsValue::from_str(e.kind.kind_name()));
    if let Some(d) = e.kind.detail() {
        // f64 is exact enough for the JS layer's comparison with 2^53 - 1.
        set(&err, "detail", JsValue::from_f64(d as f64));
    }
    err
}

/// The engine's encoder codes about an argument's value (a length, a code, FIN, a fragment
/// size, an opcode): thrown as `RangeError`, the others (state) as `Error`. The same set as
/// `RANGE_CODES` in packages/wsprism/index.js.
const RANGE_CODES: [&str; 6] = [
    "WS_ERR_INVALID_OPCODE",
    "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
    "WS_ERR_EXPECTED_FIN",
    "WS_ERR_INVALID_CLOSE_CODE",
    "WS_ERR_CLOSE_REASON_TOO_LONG",
    "WS_ERR_INVALID_FRAGMENT_SIZE",
];

/// A frame the caller may not send: `RangeError` for argument values, `Error` for state; the
/// engine's `WS_ERR_*` code.
pub fn encode_error(e: &EncodeError) -> JsValue {
    let msg = e.to_string();
    if RANGE_CODES.contains(&e.code()) {
        range_error(e.code(), &msg)
    } else {
        error(e.code(), &msg)
    }
}

/// A string that may not go into an HTTP head (the engine's verdict): `TypeError` with the
/// engine's code (`ERR_INVALID_HTTP_TOKEN`, `ERR_INVALID_CHAR`, `ERR_UNESCAPED_CHARACTERS`).
pub fn header_error(e: &HeaderError) -> JsValue {
    type_error(e.code(), &e.to_string())
}

/// A refused or malformed handshake: `Error` with the engine's code
/// (`WS_ERR_INVALID_HANDSHAKE`, `WS_ERR_HANDSHAKE_TOO_LARGE`) and `status`.
pub fn handshake_error(e: &HandshakeError) -> JsValue {
    let err = error(e.code(), &e.to_string());
    set(&err, "status", JsValue::from(e.status));
    err
}
