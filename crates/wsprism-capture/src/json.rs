//! The whole capture report as one JSON text, refused early when it would be too long.
//!
//! The JS bindings hand the report to `JSON.parse` as one string, and a JS engine's strings
//! have a maximum length (V8: 2^29 - 24). A capture of millions of tiny frames would make a
//! report of gigabytes, taking minutes and all memory before failing; here every event adds an
//! estimate of its JSON size (a little above the real size) to a budget, the read stops as soon
//! as the budget passes the cap, and the text itself is written into a buffer that grows with
//! `try_reserve` (so a wasm instance reports an error instead of trapping when memory runs out).

use crate::{CaptureError, CaptureEvent, CaptureOptions, CaptureReader, ReportBuilder};
use std::io::{self, Write};

/// The longest string V8 makes on 64-bit hosts (`v8::String::kMaxLength`, 2^29 - 24). The JSON
/// is ASCII outside texts, so its byte length bounds its UTF-16 length from above.
pub const MAX_JS_STRING: usize = (1 << 29) - 24;

/// Estimated JSON size of what an event adds to the report: field names and numbers take
/// 250-320 bytes, hex two per byte, text at most six per byte (`\uXXXX` escapes).
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

/// A `Vec<u8>` writer that grows with `try_reserve` and stops at a cap.
struct CappedWriter {
    buf: Vec<u8>,
    cap: usize,
    /// The text passed the cap (otherwise a failed write means memory ran out).
    too_long: bool,
}

impl Write for CappedWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len().saturating_add(data.len()) > self.cap {
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

/// [`inspect_capture`](crate::inspect_capture) as JSON text (`docs/capture.md`) of at most
/// `max_len` bytes ([`MAX_JS_STRING`] for a JS string). A longer report, or one that does not
/// fit in memory, is [`CaptureError::ReportTooLarge`], found while reading rather than after.
pub fn inspect_capture_json(
    bytes: &[u8],
    opts: &CaptureOptions,
    max_len: usize,
) -> Result<String, CaptureError> {
    let mut reader = CaptureReader::new(bytes, *opts)?;
    let mut builder = ReportBuilder::new();
    let mut budget = 0usize;
    while let Some(ev) = reader.next_event() {
        budget = budget.saturating_add(json_cost(&ev));
        if budget > max_len {
            return Err(CaptureError::ReportTooLarge(format!(
                "the report would be more than {max_len} bytes of JSON"
            )));
        }
        builder.push(ev);
    }
    let mut summary = reader.summary();
    summary.bytes = bytes.len() as u64;
    let report = builder.finish(summary);
    let mut w = CappedWriter {
        buf: Vec::new(),
        cap: max_len,
        too_long: false,
    };
    if let Err(e) = serde_json::to_writer(&mut w, &report) {
        return Err(CaptureError::ReportTooLarge(if w.too_long {
            format!("the report is more than {max_len} bytes of JSON")
        } else if e.is_io() {
            "the report does not fit in memory".to_string()
        } else {
            format!("JSON: {e}")
        }));
    }
    drop(report);
    // serde_json writes UTF-8 only.
    String::from_utf8(w.buf).map_err(|e| CaptureError::ReportTooLarge(format!("JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth;

    fn capture(frames: usize) -> Vec<u8> {
        let mut conv = synth::Conversation::new(synth::Endpoints::v4(), false);
        for i in 0..frames {
            conv.message(synth::Dir::ClientToServer, 1, format!("m{i}").as_bytes());
        }
        synth::write_pcap(&conv.finish(), synth::Link::Ethernet)
    }

    #[test]
    fn equals_the_report_serialized() {
        let pcap = capture(10);
        let opts = CaptureOptions::default();
        let json = inspect_capture_json(&pcap, &opts, MAX_JS_STRING).unwrap();
        let report = crate::inspect_capture(&pcap, &opts).unwrap();
        assert_eq!(json, serde_json::to_string(&report).unwrap());
    }

    #[test]
    fn refuses_a_report_over_the_cap() {
        let pcap = capture(200);
        let e = inspect_capture_json(&pcap, &CaptureOptions::default(), 20_000).unwrap_err();
        assert_eq!(e.code(), "CAPTURE_REPORT_TOO_LARGE");
        let e = inspect_capture_json(&[1, 2, 3], &CaptureOptions::default(), 20_000).unwrap_err();
        assert_eq!(e.code(), "CAPTURE_UNSUPPORTED_FORMAT");
    }
}
