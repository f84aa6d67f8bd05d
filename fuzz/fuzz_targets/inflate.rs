//! permessage-deflate decompression on arbitrary bytes, with a small output limit.
//!
//! Input layout: `[flags, limit_lo, limit_hi, chunk, messages...]`
//! - flags: low 4 bits window bits (0..=15, the constructor clamps), bit4 no_context_takeover;
//! - limit: u16 little endian, the per-message output limit;
//! - chunk: the piece size (chunk % 64 + 1) for the chunked inflater;
//! - messages: `[len, bytes...]` (len 255: the rest of the input).
//!
//! Two inflaters see the same messages, one piecewise and one in a single call. Invariants: no
//! panic; output never exceeds the limit (on `MessageTooBig` it holds the one byte past the
//! limit that detected it, never more) and the buffer never grows beyond twice the limit; the
//! only errors are `InvalidCompressedData` and `MessageTooBig { max: limit, len > limit }`;
//! piecewise and one-shot inflation agree on success and on the bytes produced.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsprism::deflate::Inflater;
use wsprism::ProtocolErrorKind;

fn check(r: &Result<(), ProtocolErrorKind>, out: &Vec<u8>, limit: u64) {
    match r {
        Ok(()) => assert!(out.len() as u64 <= limit, "output {} > limit {limit}", out.len()),
        Err(ProtocolErrorKind::InvalidCompressedData) => {
            assert!(out.len() as u64 <= limit.saturating_add(1), "output {} > limit {limit} + 1", out.len())
        }
        Err(ProtocolErrorKind::MessageTooBig { len, max }) => {
            assert_eq!(*max, limit);
            assert!(*len > limit);
            assert_eq!(out.len() as u64, *len);
            assert!(out.len() as u64 <= limit.saturating_add(1), "output {} > limit {limit} + 1", out.len());
        }
        Err(k) => panic!("unexpected inflate error {k:?}"),
    }
    let cap_bound = (2 * (limit as usize + 1)).max(64);
    assert!(out.capacity() <= cap_bound, "capacity {} for limit {limit}", out.capacity());
}

fn message(inf: &mut Inflater, pieces: &mut dyn Iterator<Item = &[u8]>, limit: u64) -> Result<Vec<u8>, ProtocolErrorKind> {
    let mut out = Vec::new();
    for p in pieces {
        let r = inf.inflate(p, &mut out, limit);
        check(&r, &out, limit);
        if let Err(k) = r {
            inf.reset();
            return Err(k);
        }
    }
    let r = inf.finish(&mut out, limit);
    check(&r, &out, limit);
    r.map(|()| out)
}

fuzz_target!(|data: &[u8]| {
    let [flags, lo, hi, chunk, rest @ ..] = data else { return };
    let mut rest: &[u8] = rest;
    let bits = flags & 15;
    let no_ctx = flags & 16 != 0;
    let limit = u64::from(u16::from_le_bytes([*lo, *hi]));
    let size = usize::from(*chunk % 64) + 1;

    let mut a = Inflater::new(bits, no_ctx);
    let mut b = Inflater::new(bits, no_ctx);
    while let Some((&len, tail)) = rest.split_first() {
        let n = if len == 255 { tail.len() } else { usize::from(len).min(tail.len()) };
        let (msg, after) = tail.split_at(n);
        rest = after;

        let ra = message(&mut a, &mut msg.chunks(size), limit);
        let rb = message(&mut b, &mut std::iter::once(msg), limit);
        match (&ra, &rb) {
            (Ok(x), Ok(y)) => assert!(x == y, "piecewise and one-shot output differ"),
            (Err(_), Err(_)) => {
                // The two may disagree on which of the two errors came first (the limit can be
                // reached before or after zlib reads a corrupt block header); both are valid.
            }
            _ => panic!("piecewise {:?} vs one-shot {:?}", ra.as_ref().map(Vec::len), rb.as_ref().map(Vec::len)),
        }
    }
});
