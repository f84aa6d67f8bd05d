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
//! is copied into wasm memory with `try_reserve` (at most 1 GiB); the report is built event by
//! event with a budget — each frame and message adds an estimate of its JSON size, and past
//! [`MAX_JSON`] (a report JS could not take as one string anyway) the read stops with an
//! `Error` `CAPTURE_REPORT_TOO_LARGE`, so the report's own memory stays below that too, however
//! many tiny frames the input holds (a 2-byte frame costs ~300 bytes of report); the JSON text
//! is written into a buffer that grows with `try_reserve`.

use crate::args::{self, get};
use crate::errors;
use std::io::{self, Write};
use wasm_bindgen::prelude::*;
use wsprism_capture::{CaptureEvent, CaptureOptions, CaptureReader, CaptureReport, ReportBuilder};

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

/// Estimated JSON size of what an event adds to the report (a little above the real size for
/// frames and messages: field names and numbers take 250-320 bytes, hex two per byte, text at
/// most six per byte).
fn json_cost(ev: &CaptureEvent) -> usize {
    match ev {
        CaptureEvent::Frame { frame, .. } => {
            320 + 2 * (frame.raw_hex.0.len() + frame.payload_hex.0.len())
        }
        CaptureEvent::Message { message, .. } => {
            320 + 2 * message.data_hex.0.len()
                + 6 * (message.text.as_ref().map_or(0, String::len)
                    + message.close_reason.as_ref().map_or(0, String::len))
        }
        CaptureEvent::Error { error, .. } => 256 + error.message.len(),
        CaptureEvent::Note { note, .. } => 8 + note.len(),
        CaptureEvent::Handshake { handshake, .. } => {
            1024 + handshake
                .request
                .headers
                .iter()
                .chain(handshake.response.iter().flat_map(|r| r.headers.iter()))
                .map(|(k, v)| 8 + 6 * (k.len() + v.len()))
                .sum::<usize>()
        }
        _ => 512,
    }
}

fn too_large(what: &str) -> JsValue {
    errors::error(REPORT_TOO_LARGE, &format!("{what}: lower maxBytes"))
}

/// `inspect_capture` of the capture crate, with the JSON budget described in the module docs.
fn report(bytes: &[u8], opts: CaptureOptions) -> Result<CaptureReport, JsValue> {
    let mut reader =
        CaptureReader::new(bytes, opts).map_err(|e| errors::error(e.code(), &e.to_string()))?;
    let mut builder = ReportBuilder::new();
    let mut budget = 0usize;
    while let Some(ev) = reader.next_event() {
        budget = budget.saturating_add(json_cost(&ev));
        if budget > MAX_JSON {
            return Err(too_large(&format!(
                "the report would be more than {MAX_JSON} bytes of JSON"
            )));
        }
        builder.push(ev);
    }
    let mut summary = reader.summary();
    summary.bytes = bytes.len() as u64;
    Ok(builder.finish(summary))
}

/// `inspectCaptureJson(bytes, { maxBytes, maxFrameSize, maxMessageSize })`: the capture report
/// as JSON text. A file that is not a capture at all is an `Error` with the capture crate's
/// `code` (`CAPTURE_UNSUPPORTED_FORMAT`, `CAPTURE_TRUNCATED`, `CAPTURE_INVALID_HAR`, ...); a
/// report too large for one JS string or for wasm memory is `CAPTURE_REPORT_TOO_LARGE`.
#[wasm_bindgen(js_name = inspectCaptureJson)]
pub fn inspect_capture_json(bytes: JsValue, opts: JsValue) -> Result<String, JsValue> {
    let b = args::bytes(&bytes, "bytes")?;
    let o = capture_options(&opts)?;
    let report = report(&b, o)?;
    drop(b);
    let mut w = TryWriter {
        buf: Vec::new(),
        too_long: false,
    };
    if let Err(e) = serde_json::to_writer(&mut w, &report) {
        return Err(if w.too_long {
            too_large(&format!("the report is more than {MAX_JSON} bytes of JSON"))
        } else if e.is_io() {
            too_large("the report does not fit in WebAssembly memory")
        } else {
            errors::error("CAPTURE_INTERNAL", &e.to_string())
        });
    }
    drop(report);
    String::from_utf8(w.buf).map_err(|e| errors::error("CAPTURE_INTERNAL", &e.to_string()))
}
