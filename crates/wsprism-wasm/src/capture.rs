//! `inspectCaptureJson`: a pcap, pcapng or HAR file → the capture report (`docs/capture.md`)
//! of `wsprism-capture`, as one JSON string that the JS wrapper hands to `JSON.parse`.
//!
//! JSON text rather than objects built from wasm one by one (serde-wasm-bindgen): a capture can
//! hold hundreds of thousands of frames, and one string crossing (decoded by `TextDecoder`)
//! plus `JSON.parse` was 10-50% faster in headless Chromium than a boundary call per value, and
//! gives the Node package's exact result (the same serde_json text, the same `JSON.parse`).
//! Measurements: `packages/wsprism-web/README.md`, "inspectCapture".
//!
//! Memory (a trapped instance is dead for the page, and an allocation failure traps): the input
//! is copied into wasm memory with `try_reserve` (at most 1 GiB); the capture crate's
//! `inspect_capture_json` stops with `CAPTURE_REPORT_TOO_LARGE` as soon as the report would
//! pass the longest JS string, and grows its text with `try_reserve`.

use crate::args::{self, get};
use crate::errors;
use wasm_bindgen::prelude::*;
use wsprism_capture::{CaptureOptions, MAX_JS_STRING};

/// The options `{ maxBytes, maxFrameSize, maxMessageSize }`; absent ones are the capture
/// crate's defaults. `maxBytes` 0 or `Infinity` keeps every byte.
pub(crate) fn capture_options(opts: &JsValue) -> Result<CaptureOptions, JsValue> {
    let o = args::options(opts, "options")?;
    let d = CaptureOptions::default();
    let max_bytes = match args::opt_int(&get(&o, "maxBytes")?, "maxBytes", 0.0, f64::INFINITY)? {
        None => d.max_bytes,
        Some(n) if n >= 1.0 && n < usize::MAX as f64 => Some(n as usize),
        Some(_) => None, // 0 or Infinity: everything
    };
    Ok(CaptureOptions {
        max_bytes,
        max_frame_size: args::limit(&get(&o, "maxFrameSize")?, "maxFrameSize", d.max_frame_size)?,
        max_message_size: args::limit(
            &get(&o, "maxMessageSize")?,
            "maxMessageSize",
            d.max_message_size,
        )?,
    })
}

/// `inspectCaptureJson(bytes, { maxBytes, maxFrameSize, maxMessageSize })`: the capture report
/// as JSON text. A file that is not a capture at all is an `Error` with the capture crate's
/// `code` (`CAPTURE_UNSUPPORTED_FORMAT`, `CAPTURE_TRUNCATED`, `CAPTURE_INVALID_HAR`, ...); a
/// report too large for one JS string or for wasm memory is `CAPTURE_REPORT_TOO_LARGE`.
#[wasm_bindgen(js_name = inspectCaptureJson)]
pub fn inspect_capture_json(bytes: JsValue, opts: JsValue) -> Result<String, JsValue> {
    let b = args::bytes(&bytes, "bytes")?;
    let o = capture_options(&opts)?;
    wsprism_capture::inspect_capture_json(&b, &o, MAX_JS_STRING)
        .map_err(|e| errors::error(e.code(), &e.to_string()))
}
