//! `inspectCaptureJson`: a pcap, pcapng or HAR file → the capture report (`docs/capture.md`)
//! of `wsprism-capture`, as one JSON string that the JS wrapper hands to `JSON.parse`.
//!
//! JSON text rather than objects built from wasm one by one: a capture can hold millions of
//! frames, and one string crossing (decoded by `TextDecoder`) plus `JSON.parse` is much faster
//! than a `Reflect.set` call per field (measured: see `packages/wsprism-web/README.md`).
//!
//! Memory: the input is copied into wasm memory with `try_reserve` (at most 1 GiB), and the JSON
//! text is written into a buffer that grows with `try_reserve`, so a report too large for wasm
//! memory is an `Error` (`CAPTURE_REPORT_TOO_LARGE`), not an out-of-memory trap.

use crate::args::{self, get};
use crate::errors;
use std::io::{self, Write};
use wasm_bindgen::prelude::*;
use wsprism_capture::{inspect_capture, CaptureOptions};

/// Longest string a JS engine makes (V8's `String::kMaxLength` on 64-bit hosts: 2^29 - 24; the
/// JSON is ASCII except inside texts, so bytes bound the UTF-16 length from above).
pub const MAX_JSON: usize = (1 << 29) - 24;

/// `code` of the `Error` for a report too large to hand to JS.
pub const REPORT_TOO_LARGE: &str = "CAPTURE_REPORT_TOO_LARGE";

/// A `Vec<u8>` writer whose growth is fallible (`try_reserve`) and capped at [`MAX_JSON`].
struct TryWriter {
    buf: Vec<u8>,
    /// The text passed [`MAX_JSON`] (otherwise a failed write means memory ran out).
    too_long: bool,
}

impl Write for TryWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len().saturating_add(data.len()) > MAX_JSON {
            self.too_long = true;
            return Err(io::Error::new(io::ErrorKind::OutOfMemory, "too long"));
        }
        self.buf
            .try_reserve(data.len())
            .map_err(|_| io::Error::new(io::ErrorKind::OutOfMemory, "no memory"))?;
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The options `{ maxBytes, maxFrameSize, maxMessageSize }`; absent ones are the capture
/// crate's defaults. `maxBytes` 0 or `Infinity` keeps every byte.
fn capture_options(opts: &JsValue) -> Result<CaptureOptions, JsValue> {
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
/// `code` (`CAPTURE_UNSUPPORTED_FORMAT`, `CAPTURE_TRUNCATED`, `CAPTURE_INVALID_HAR`, ...).
#[wasm_bindgen(js_name = inspectCaptureJson)]
pub fn inspect_capture_json(bytes: JsValue, opts: JsValue) -> Result<String, JsValue> {
    let b = args::bytes(&bytes, "bytes")?;
    let o = capture_options(&opts)?;
    let report = inspect_capture(&b, &o).map_err(|e| errors::error(e.code(), &e.to_string()))?;
    drop(b);
    let mut w = TryWriter {
        buf: Vec::new(),
        too_long: false,
    };
    if let Err(e) = serde_json::to_writer(&mut w, &report) {
        return Err(if w.too_long {
            errors::error(
                REPORT_TOO_LARGE,
                &format!("the report is more than {MAX_JSON} bytes of JSON: lower maxBytes"),
            )
        } else if e.is_io() {
            errors::error(
                REPORT_TOO_LARGE,
                "the report does not fit in WebAssembly memory: lower maxBytes",
            )
        } else {
            errors::error("CAPTURE_INTERNAL", &e.to_string())
        });
    }
    drop(report);
    String::from_utf8(w.buf).map_err(|e| errors::error("CAPTURE_INTERNAL", &e.to_string()))
}
