//! Captures (pcap, pcapng, HAR, or anything else) through `wsprism-capture`.
//!
//! Input layout: `[flags, max_bytes, max_frame, bytes...]`: bit0-1 pick the read size of the
//! streaming pass (1, 7, 64 or 4096 bytes per `read`), `max_bytes` 0 = unlimited else 1-255,
//! `max_frame` a small `max_frame_size`/`max_message_size` (0: the engine's defaults).
//!
//! Invariants: no panic; `inspect_capture` (whole slice, push API) and a `CaptureReader` fed
//! by a reader that returns a few bytes per call (pull API) produce the same report; frame and
//! message indexes count from 0 per connection; a message's frame range points at frames of its
//! direction; an error's frame exists; frames of one direction tile their stream (each starts
//! where the previous ended) unless a gap, a resynchronisation or an error intervened; no more
//! than `max_bytes` of any frame or message is kept.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Read;
use wsprism_capture::{
    inspect_capture, CaptureOptions, CaptureReader, CaptureReport, Direction, ReportBuilder,
};

/// Reads `step` bytes at a time.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn check(r: &CaptureReport, opts: &CaptureOptions) {
    for c in &r.connections {
        for (i, f) in c.frames.iter().enumerate() {
            assert_eq!(f.index, i as u64);
            assert!((2..=14).contains(&f.header_len));
            if let Some(m) = opts.max_bytes {
                assert!(f.raw_hex.0.len() <= m && f.payload_hex.0.len() <= m);
            }
            assert!(f.raw_hex.0.len() as u64 <= (f.header_len as u64).saturating_add(f.payload_len));
        }
        for (i, m) in c.messages.iter().enumerate() {
            assert_eq!(m.index, i as u64);
            if let Some(max) = opts.max_bytes {
                assert!(m.data_hex.0.len() <= max);
                assert!(m.text.as_ref().map_or(0, String::len) <= max);
            }
            if let Some([a, b]) = m.frames {
                assert!(a <= b, "frame range {a}..{b}");
                let fb = c.frames.get(b as usize).expect("message's last frame exists");
                assert_eq!(fb.direction, m.direction);
                assert!(c.frames.get(a as usize).is_some_and(|f| f.direction == m.direction));
            }
        }
        for e in &c.errors {
            if let Some(i) = e.frame {
                assert!((i as usize) < c.frames.len(), "error frame {i} missing");
            }
        }
        let disrupted = !c.errors.is_empty() || c.notes.iter().any(|n| n.starts_with("resynchronised"));
        if !disrupted {
            for d in [Direction::ClientToServer, Direction::ServerToClient] {
                let mut next: Option<u64> = None;
                for f in c.frames.iter().filter(|f| f.direction == d) {
                    if let Some(n) = next {
                        assert_eq!(f.stream_offset, n, "frames of {d:?} do not tile");
                    }
                    next = Some(f.stream_offset.saturating_add(f.header_len as u64).saturating_add(f.payload_len));
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, max_bytes, max_frame, bytes @ ..] = data else { return };
    let defaults = CaptureOptions::default();
    let limit = |b: u8| if b == 0 { defaults.max_frame_size } else { u64::from(b) << (b & 7) };
    let opts = CaptureOptions {
        max_bytes: (*max_bytes != 0).then_some(usize::from(*max_bytes)),
        max_frame_size: limit(*max_frame),
        max_message_size: if *max_frame == 0 { defaults.max_message_size } else { limit(*max_frame) * 3 },
    };
    let whole = inspect_capture(bytes, &opts);
    let step = [1, 7, 64, 4096][usize::from(flags & 3)];
    let streamed = CaptureReader::new(Trickle { data: bytes, step }, opts).map(|mut rd| {
        let mut b = ReportBuilder::new();
        while let Some(ev) = rd.next_event() {
            b.push(ev);
        }
        let mut s = rd.summary();
        s.bytes = bytes.len() as u64;
        b.finish(s)
    });
    match (&whole, &streamed) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "slice and trickled reads differ");
            check(a, &opts);
        }
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code()),
        _ => panic!("slice and trickled reads disagree: {:?} vs {:?}", whole.as_ref().err(), streamed.as_ref().err()),
    }
});
