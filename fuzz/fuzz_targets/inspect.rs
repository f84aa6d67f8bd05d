//! Frame-by-frame inspection of arbitrary bytes, as both roles.
//!
//! Input layout: `[flags, window_bits, max_message, max_frame, bytes...]` (as in the decoder
//! target: bit0 role, bit1 deflate, bit2/bit3 no_context_takeover; limits from one byte each).
//!
//! Invariants: no panic; frames tile the input (contiguous offsets, header 2..=14 bytes, only the
//! last one incomplete, `complete` iff all payload bytes are present); if the decoder reported
//! no error, no frame lists a violation; an error always has an `error_frame`; events and
//! messages agree; `inspect_frame` is the stream's first frame; and the report's events and
//! error are the ones a plain `Decoder` produces on the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsprism::inspect::{inspect_frame, inspect_stream, InspectOptions};
use wsprism::frame::parse_header;
use wsprism::{Decoder, DecoderConfig, DeflateParams, Parsed, Role};

/// `WSPRISM_FUZZ_STRICT=1` keeps inputs that hit the reported overflow (see fuzz/README.md,
/// "Findings"): `inspect_stream` computes `offset + header_len + payload_len` for the frame the
/// decoder's error belongs to, which overflows for a 64-bit length near `u64::MAX` (a panic with
/// overflow checks, a wrong `error_frame` without). Otherwise such inputs are skipped.
fn strict() -> bool {
    static S: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *S.get_or_init(|| std::env::var_os("WSPRISM_FUZZ_STRICT").is_some_and(|v| v == "1"))
}

/// True if some frame's end (offset + header + declared payload) does not fit in a u64.
fn end_overflows(bytes: &[u8]) -> bool {
    let mut pos = 0usize;
    while let Some(rest) = bytes.get(pos..).filter(|r| !r.is_empty()) {
        let Parsed::Complete { value: h, len } = parse_header(rest) else { return false };
        let start = (pos + len) as u64;
        if h.payload_len > u64::MAX - start {
            return true;
        }
        match usize::try_from(h.payload_len).ok().and_then(|n| (pos + len).checked_add(n)) {
            Some(end) if end <= bytes.len() => pos = end,
            _ => return false,
        }
    }
    false
}

fn limit(b: u8) -> u64 {
    let v = u64::from(b & 63);
    match b >> 6 {
        0 => v,
        1 => v << 6,
        2 => v << 12,
        _ => wsprism::decoder::DEFAULT_MAX_MESSAGE_SIZE,
    }
}

fn check(bytes: &[u8], opts: &InspectOptions) {
    let rep = inspect_stream(bytes, opts);

    let mut expect_offset = 0u64;
    for (i, f) in rep.frames.iter().enumerate() {
        assert_eq!(f.offset, expect_offset, "frame {i} does not start where the previous ended");
        assert!((2..=14).contains(&f.header_len), "header_len {}", f.header_len);
        assert!(f.payload_available <= f.payload_len);
        assert_eq!(f.complete, f.payload_available == f.payload_len);
        assert!(f.offset + f.header_len as u64 + f.payload_available <= bytes.len() as u64);
        assert!(f.complete || i + 1 == rep.frames.len(), "incomplete frame {i} is not the last");
        assert_eq!(f.payload_hex.len() as u64, 2 * f.payload_available);
        expect_offset = f.offset.saturating_add(f.header_len as u64).saturating_add(f.payload_len);
    }

    match &rep.error {
        None => {
            assert!(rep.error_frame.is_none());
            for (i, f) in rep.frames.iter().enumerate() {
                assert!(
                    f.violations.is_empty(),
                    "no decoder error, but frame {i} ({}complete) has violations {:?}",
                    if f.complete { "" } else { "in" },
                    f.violations
                );
            }
        }
        Some(e) => {
            let i = rep.error_frame.expect("error without error_frame");
            assert!(i <= rep.frames.len());
            assert!(e.offset <= bytes.len() as u64, "error offset {} past {} bytes", e.offset, bytes.len());
            assert!(rep.waiting_for.is_none());
            if let Some(f) = rep.frames.get(i) {
                assert!(f.violations.iter().any(|v| v.code == e.code), "error frame lacks the error");
            }
        }
    }

    let mut n_msgs = 0;
    for ev in &rep.events {
        match ev.kind {
            "message" => {
                assert_eq!(ev.message, Some(n_msgs));
                n_msgs += 1;
            }
            "ping" | "pong" | "close" => assert!(ev.message.is_none() && ev.payload_hex.is_some()),
            k => panic!("unknown event kind {k}"),
        }
    }
    assert_eq!(n_msgs, rep.messages.len());

    // `inspect_frame` is the first frame of the stream, except that the stream report also
    // lists the decoder's error on the frame it belongs to.
    let single = inspect_frame(bytes, opts);
    assert_eq!(single.is_some(), !rep.frames.is_empty());
    if let (Some(one), Some(first)) = (single, rep.frames.first()) {
        let mut first = first.clone();
        if rep.error_frame == Some(0) && first.violations.len() == one.violations.len() + 1 {
            first.violations.pop();
        }
        assert_eq!(one, first, "inspect_frame differs from the stream's first frame");
    }

    // The report is what the decoder itself says.
    let mut dec = Decoder::new(DecoderConfig {
        role: opts.role,
        max_frame_size: opts.max_frame_size,
        max_message_size: opts.max_message_size,
        deflate: opts.deflate,
        ..Default::default()
    });
    let mut copy = bytes.to_vec();
    let mut pos = 0;
    let mut n = 0;
    let err = loop {
        match dec.next_event(&mut copy, &mut pos) {
            Ok(Some(_)) => n += 1,
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    assert_eq!(n, rep.events.len());
    assert_eq!(err.as_ref().map(|e| (e.code(), e.offset)), rep.error.as_ref().map(|e| (e.code, e.offset)));
}

fuzz_target!(|data: &[u8]| {
    let [flags, bits, max_msg, max_frame, bytes @ ..] = data else { return };
    if !strict() && end_overflows(bytes) {
        return;
    }
    let deflate = (flags & 2 != 0).then(|| DeflateParams {
        server_no_context_takeover: flags & 4 != 0,
        client_no_context_takeover: flags & 8 != 0,
        server_max_window_bits: 8 + (bits & 7),
        client_max_window_bits: 8 + ((bits >> 4) & 7),
    });
    let (first, other) = if flags & 1 == 0 {
        (Role::Server, Role::Client)
    } else {
        (Role::Client, Role::Server)
    };
    for role in [first, other] {
        let opts = InspectOptions {
            role,
            deflate,
            max_frame_size: limit(*max_frame),
            max_message_size: limit(*max_msg),
        };
        check(bytes, &opts);
    }
});
