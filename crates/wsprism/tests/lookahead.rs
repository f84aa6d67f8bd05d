//! Byte-level tests of `Decoder::lookahead`: where the next frame that a chunk does not hold
//! whole starts, how many bytes complete it, and whether the decoder will accept its header —
//! checked rule by rule, and against the decoder itself over random streams.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used
)]

use proptest::prelude::*;
use wsprism::decoder::Lookahead;
use wsprism::{Decoder, DecoderConfig, DeflateParams, Role};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn cfg(role: Role) -> DecoderConfig {
    DecoderConfig {
        role,
        ..Default::default()
    }
}

/// A frame header written exactly as given: `width` 0, 2 or 8 extended length bytes (so
/// non-minimal lengths can be written), `b0` the first byte (FIN, RSV, opcode).
fn header(b0: u8, mask: Option<[u8; 4]>, len: u64, width: u8) -> Vec<u8> {
    let m = if mask.is_some() { 0x80 } else { 0 };
    let mut v = match width {
        0 => vec![b0, m | len as u8],
        2 => {
            let mut v = vec![b0, m | 126];
            v.extend_from_slice(&(len as u16).to_be_bytes());
            v
        }
        _ => {
            let mut v = vec![b0, m | 127];
            v.extend_from_slice(&len.to_be_bytes());
            v
        }
    };
    if let Some(k) = mask {
        v.extend_from_slice(&k);
    }
    v
}

/// The minimal length width for `len`.
fn width(len: u64) -> u8 {
    match len {
        0..=125 => 0,
        126..=0xffff => 2,
        _ => 8,
    }
}

/// A whole frame: `b0`, masked with [`KEY`] if `masked`, payload of `len` bytes of `b'a'`
/// (a close payload starts with code 1000).
fn frame(b0: u8, masked: bool, len: usize) -> Vec<u8> {
    let mask = masked.then_some(KEY);
    let mut v = header(b0, mask, len as u64, width(len as u64));
    let mut payload = vec![b'a'; len];
    if b0 & 0x0f == 8 && len >= 2 {
        payload[..2].copy_from_slice(&1000u16.to_be_bytes());
    }
    if masked {
        wsprism::apply_mask(&mut payload, KEY, 0);
    }
    v.extend_from_slice(&payload);
    v
}

/// Client frames (masked), as a server receives them.
fn cf(b0: u8, len: usize) -> Vec<u8> {
    frame(b0, true, len)
}

/// Server frames (unmasked), as a client receives them.
fn sf(b0: u8, len: usize) -> Vec<u8> {
    frame(b0, false, len)
}

/// A decoder that has consumed `bytes` without error.
fn fed(cfg: DecoderConfig, bytes: &[u8]) -> Decoder {
    let mut d = Decoder::new(cfg);
    let mut buf = bytes.to_vec();
    let mut pos = 0;
    while let Some(_ev) = d.next_event(&mut buf, &mut pos).unwrap() {}
    d
}

fn incomplete(at: usize, len: u64, payload_len: u64, acceptable: bool) -> Lookahead {
    Lookahead::Incomplete {
        at,
        len,
        payload_len,
        acceptable,
    }
}

/// The verdict on the incomplete frame `frame` (cut after its header plus one payload byte)
/// that follows the whole frames `before`, for a decoder that consumed `consumed`.
fn verdict(cfg: DecoderConfig, consumed: &[u8], before: &[u8], frame: &[u8]) -> bool {
    let d = fed(cfg, consumed);
    let mut input = before.to_vec();
    let cut = frame.len() - 1;
    input.extend_from_slice(&frame[..cut]);
    match d.lookahead(&input) {
        Lookahead::Incomplete {
            at,
            len,
            acceptable,
            ..
        } => {
            assert_eq!(at, before.len());
            assert_eq!(len, frame.len() as u64);
            acceptable
        }
        other => panic!("expected an incomplete frame, got {other:?}"),
    }
}

#[test]
fn at_a_boundary_with_whole_frames() {
    let d = Decoder::new(cfg(Role::Client));
    assert_eq!(d.lookahead(&[]), Lookahead::Boundary);
    // RFC 6455 §5.7: a single-frame unmasked text message "Hello".
    let hello = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    assert_eq!(d.lookahead(&hello), Lookahead::Boundary);
    assert_eq!(d.lookahead(&[hello, hello].concat()), Lookahead::Boundary);
    // Whole frames are walked, not judged: a reserved opcode is the decoder's to reject.
    assert_eq!(d.lookahead(&sf(0x83, 3)), Lookahead::Boundary);
}

#[test]
fn every_cut_of_a_frame() {
    let d = Decoder::new(cfg(Role::Client));
    let hello = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    assert_eq!(d.lookahead(&hello[..1]), Lookahead::PartialHeader { at: 0 });
    for cut in 2..hello.len() {
        assert_eq!(
            d.lookahead(&hello[..cut]),
            incomplete(0, 7, 5, true),
            "cut {cut}"
        );
    }
    // RFC 6455 §5.7: 256 bytes in one unmasked binary frame (16-bit length).
    let f = sf(0x82, 256);
    assert_eq!(&f[..4], &[0x82, 0x7e, 0x01, 0x00]);
    for cut in 1..4 {
        assert_eq!(d.lookahead(&f[..cut]), Lookahead::PartialHeader { at: 0 });
    }
    for cut in [4, 5, 259] {
        assert_eq!(d.lookahead(&f[..cut]), incomplete(0, 260, 256, true));
    }
    // 64 KiB in one unmasked binary frame (64-bit length).
    let f = sf(0x82, 65536);
    assert_eq!(&f[..10], &[0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
    for cut in 1..10 {
        assert_eq!(d.lookahead(&f[..cut]), Lookahead::PartialHeader { at: 0 });
    }
    assert_eq!(d.lookahead(&f[..10]), incomplete(0, 65546, 65536, true));
    // A masked header is partial until its key is there.
    let d = Decoder::new(cfg(Role::Server));
    let f = cf(0x81, 5);
    assert_eq!(f.len(), 11);
    for cut in 1..6 {
        assert_eq!(d.lookahead(&f[..cut]), Lookahead::PartialHeader { at: 0 });
    }
    for cut in 6..11 {
        assert_eq!(d.lookahead(&f[..cut]), incomplete(0, 11, 5, true));
    }
    // After whole frames, at the first one cut.
    let input = [cf(0x81, 5), cf(0x89, 0), cf(0x82, 300)].concat();
    assert_eq!(
        d.lookahead(&input[..11 + 6 + 3]),
        Lookahead::PartialHeader { at: 17 }
    );
    assert_eq!(
        d.lookahead(&input[..input.len() - 1]),
        incomplete(17, 308, 300, true)
    );
    assert_eq!(d.lookahead(&input), Lookahead::Boundary);
}

#[test]
fn headers_the_decoder_rejects() {
    let s = cfg(Role::Server);
    let c = cfg(Role::Client);
    // Masking by role (RFC 6455 §5.1).
    assert!(!verdict(s, &[], &[], &sf(0x82, 10)));
    assert!(!verdict(c, &[], &[], &cf(0x82, 10)));
    // RSV bits without an extension that defines them (§5.2, RFC 7692 §6.1).
    assert!(!verdict(s, &[], &[], &cf(0xc2, 10)));
    assert!(!verdict(s, &[], &[], &cf(0xa2, 10)));
    assert!(!verdict(s, &[], &[], &cf(0x92, 10)));
    // Reserved opcodes (§5.2).
    assert!(!verdict(s, &[], &[], &cf(0x83, 10)));
    assert!(!verdict(s, &[], &[], &cf(0x8b, 10)));
    // Fragmentation (§5.4): a continuation with no message, a new message inside one.
    assert!(!verdict(s, &[], &[], &cf(0x80, 10)));
    assert!(!verdict(s, &[], &cf(0x01, 3), &cf(0x81, 10)));
    assert!(!verdict(s, &cf(0x01, 3), &[], &cf(0x82, 10)));
    // Control frames (§5.5): fragmented, or longer than 125 bytes.
    assert!(!verdict(s, &[], &[], &cf(0x09, 10)));
    assert!(!verdict(s, &[], &[], &cf(0x89, 126)));
    assert!(!verdict(s, &[], &[], &cf(0x8a, 200)));
    // Lengths (§5.2): not minimal, or the 64-bit top bit.
    let mut f = header(0x82, Some(KEY), 100, 2);
    f.extend_from_slice(&[0; 100]);
    assert!(!verdict(s, &[], &[], &f));
    let mut f = header(0x82, Some(KEY), 1000, 8);
    f.extend_from_slice(&[0; 1000]);
    assert!(!verdict(s, &[], &[], &f));
    // Data after a close frame (§5.5.1), whether the decoder or the input holds it.
    assert!(!verdict(s, &[], &cf(0x88, 2), &cf(0x82, 10)));
    assert!(!verdict(s, &cf(0x88, 2), &[], &cf(0x82, 10)));
    assert!(!verdict(s, &[], &cf(0x88, 0), &cf(0x89, 10)));
}

#[test]
fn headers_the_decoder_accepts() {
    let s = cfg(Role::Server);
    let c = cfg(Role::Client);
    assert!(verdict(s, &[], &[], &cf(0x82, 10)));
    assert!(verdict(c, &[], &[], &sf(0x81, 10)));
    // Continuations of a message begun in the input or in the decoder, control frames between.
    assert!(verdict(s, &[], &cf(0x01, 3), &cf(0x80, 10)));
    assert!(verdict(s, &[], &cf(0x01, 3), &cf(0x00, 10)));
    assert!(verdict(s, &cf(0x02, 3), &[], &cf(0x80, 10)));
    assert!(verdict(
        s,
        &[],
        &[cf(0x01, 3), cf(0x89, 1)].concat(),
        &cf(0x80, 10)
    ));
    assert!(verdict(s, &[], &cf(0x01, 3), &cf(0x89, 10)));
    // A message ended by its final fragment: a new one may start.
    assert!(verdict(
        s,
        &[],
        &[cf(0x01, 3), cf(0x80, 3)].concat(),
        &cf(0x81, 10)
    ));
    // permessage-deflate negotiated: RSV1 on the first frame of a message.
    let d = DecoderConfig {
        deflate: Some(DeflateParams::default()),
        ..s
    };
    assert!(verdict(d, &[], &[], &cf(0xc1, 10)));
    assert!(!verdict(d, &[], &cf(0x41, 3), &cf(0xc0, 10)));
    assert!(!verdict(d, &[], &[], &cf(0xc9, 10)));
}

#[test]
fn size_limits() {
    let s = DecoderConfig {
        max_frame_size: 100,
        max_message_size: 150,
        ..cfg(Role::Server)
    };
    assert!(verdict(s, &[], &[], &cf(0x82, 100)));
    assert!(!verdict(s, &[], &[], &cf(0x82, 101)));
    // The message limit counts the fragments before, in the decoder and in the input.
    assert!(verdict(s, &[], &cf(0x02, 50), &cf(0x80, 100)));
    assert!(!verdict(s, &[], &cf(0x02, 51), &cf(0x80, 100)));
    assert!(!verdict(s, &cf(0x02, 30), &cf(0x00, 30), &cf(0x80, 100)));
    assert!(verdict(s, &cf(0x02, 30), &cf(0x00, 20), &cf(0x80, 100)));
    // Control frames in between do not count.
    assert!(verdict(
        s,
        &[],
        &[cf(0x02, 50), cf(0x89, 100)].concat(),
        &cf(0x80, 100)
    ));
    // Compressed messages are limited after inflating, not on the wire.
    let d = DecoderConfig {
        deflate: Some(DeflateParams::default()),
        ..s
    };
    assert!(verdict(d, &[], &[], &cf(0xc2, 100)));
}

#[test]
fn inside_the_frame_the_decoder_is_reading() {
    let s = cfg(Role::Server);
    let f = cf(0x01, 100); // a first fragment: 6 header bytes, 100 payload bytes
    let d = fed(s, &f[..40]);
    assert_eq!(d.lookahead(&[]), Lookahead::InFrame { remaining: 66 });
    assert_eq!(
        d.lookahead(&f[40..50]),
        Lookahead::InFrame { remaining: 56 }
    );
    assert_eq!(d.lookahead(&f[40..]), Lookahead::Boundary);
    // After it, the state its header set: a message in progress.
    let next = [&f[40..], &cf(0x81, 10)[..7]].concat();
    assert_eq!(d.lookahead(&next), incomplete(66, 16, 10, false));
    let next = [&f[40..], &cf(0x80, 10)[..7]].concat();
    assert_eq!(d.lookahead(&next), incomplete(66, 16, 10, true));
    // A final frame ends its message; a close frame the stream.
    let f = cf(0x81, 100);
    let d = fed(s, &f[..40]);
    let next = [&f[40..], &cf(0x82, 10)[..7]].concat();
    assert_eq!(d.lookahead(&next), incomplete(66, 16, 10, true));
    let f = cf(0x88, 100);
    let d = fed(s, &f[..40]);
    let next = [&f[40..], &cf(0x82, 10)[..7]].concat();
    assert_eq!(d.lookahead(&next), incomplete(66, 16, 10, false));
}

#[test]
fn when_the_decoder_cannot_tell() {
    let s = cfg(Role::Server);
    let f = cf(0x82, 300);
    // Part of a header held by the decoder.
    let d = fed(s, &f[..3]);
    assert_eq!(d.lookahead(&f[3..]), Lookahead::Unknown);
    // A failed decoder.
    let mut d = Decoder::new(s);
    let mut bad = sf(0x82, 3);
    assert!(d.decode_all(&mut bad).is_err());
    assert_eq!(d.lookahead(&f), Lookahead::Unknown);
}

#[test]
fn lengths_that_do_not_fit() {
    let c = cfg(Role::Client);
    let d = Decoder::new(c);
    // The 64-bit top bit: the length saturates instead of wrapping, and the header is refused.
    let h = header(0x82, None, u64::MAX - 5, 8);
    assert_eq!(
        d.lookahead(&h),
        incomplete(0, u64::MAX, u64::MAX - 5, false)
    );
    let h = header(0x82, None, 1 << 63, 8);
    assert_eq!(
        d.lookahead(&h),
        incomplete(0, (1 << 63) + 10, 1 << 63, false)
    );
    // The largest valid length is over the default frame limit.
    let h = header(0x82, None, u64::MAX >> 1, 8);
    assert_eq!(
        d.lookahead(&h),
        incomplete(0, (u64::MAX >> 1) + 10, u64::MAX >> 1, false)
    );
    let big = DecoderConfig {
        max_frame_size: u64::MAX,
        max_message_size: u64::MAX,
        ..c
    };
    let d = Decoder::new(big);
    assert_eq!(
        d.lookahead(&h),
        incomplete(0, (u64::MAX >> 1) + 10, u64::MAX >> 1, true)
    );
}

// ---------------------------------------------------------------------------------------------
// Against the decoder: random streams of valid and invalid frames, cut anywhere.

#[derive(Debug, Clone)]
struct Spec {
    fin: bool,
    /// RSV bits (mostly none).
    rsv: u8,
    /// The opcode when `wild`; otherwise only its kind counts (control or data), and the
    /// builder picks what the stream's state allows.
    op: u8,
    /// Break the rules on purpose: the opcode as drawn, the mask bit the role forbids.
    wild: bool,
    len: u64,
    /// Extended length bytes beyond the minimum (a non-minimal length), if the length allows.
    wide: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    let op = prop_oneof![
        8 => Just(0x1u8), 8 => Just(0x2), 6 => Just(0x0), 1 => Just(0x8),
        3 => Just(0x9), 2 => Just(0xa), 1 => Just(0x3), 1 => Just(0xb),
    ];
    let len = prop_oneof![
        4 => 0u64..6, 1 => Just(125u64), 1 => Just(126), 1 => Just(127), 2 => 100u64..400,
        1 => Just(0xffff), 1 => Just(0x10000), 1 => 0x10000u64..0x11000,
    ];
    (
        any::<bool>(),
        prop_oneof![40 => Just(0u8), 2 => Just(0x40), 1 => Just(0x20), 1 => Just(0x10)],
        op,
        prop_oneof![14 => Just(false), 1 => Just(true)],
        len,
        prop_oneof![30 => Just(false), 1 => Just(true)],
    )
        .prop_map(|(fin, rsv, op, wild, len, wide)| Spec {
            fin,
            rsv,
            op,
            wild,
            len,
            wide,
        })
}

/// The stream of `specs` for `role`, mostly valid: returns the bytes and each frame's
/// (start, header length, payload length).
fn build(role: Role, specs: &[Spec]) -> (Vec<u8>, Vec<(usize, usize, u64)>) {
    let mut out = Vec::new();
    let mut frames = Vec::new();
    let mut in_message = false;
    for s in specs {
        let (fin, op, len) = match (s.wild, s.op & 0x8 != 0) {
            (true, _) => (s.fin, s.op, s.len),
            (false, true) => (true, s.op, s.len % 126),
            (false, false) if in_message => (s.fin, 0, s.len),
            (false, false) => (s.fin, if s.op == 0 { 1 } else { s.op }, s.len),
        };
        if op & 0x8 == 0 {
            in_message = !fin;
        }
        let masked = (role == Role::Server) != s.wild;
        let w = match (width(len), s.wide) {
            (0, true) => 2,
            (2, true) => 8,
            (w, _) => w,
        };
        let h = header(
            (u8::from(fin) << 7) | s.rsv | op,
            masked.then_some(KEY),
            len,
            w,
        );
        frames.push((out.len(), h.len(), len));
        out.extend_from_slice(&h);
        let mut payload = vec![b'a'; len as usize];
        if op == 8 && len >= 2 {
            payload[..2].copy_from_slice(&1000u16.to_be_bytes());
        }
        if masked {
            wsprism::apply_mask(&mut payload, KEY, 0);
        }
        out.extend_from_slice(&payload);
    }
    (out, frames)
}

/// Feeds `bytes` to `d`; `Err(offset)` if the decoder failed.
fn push(d: &mut Decoder, bytes: &[u8]) -> Result<(), u64> {
    let mut buf = bytes.to_vec();
    let mut pos = 0;
    loop {
        match d.next_event(&mut buf, &mut pos) {
            Ok(Some(_)) => {}
            Ok(None) => return Ok(()),
            Err(e) => return Err(e.offset),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_the_decoder(
        specs in proptest::collection::vec(spec(), 1..7),
        server in any::<bool>(),
        deflate in any::<bool>(),
        limits in prop_oneof![3 => Just((u64::MAX, u64::MAX)), 1 => Just((300u64, 700u64)), 1 => Just((0x10000u64, 0x10400u64))],
        cut_a in any::<proptest::sample::Index>(),
        cut_b in any::<proptest::sample::Index>(),
        split in any::<proptest::sample::Index>(),
    ) {
        let role = if server { Role::Server } else { Role::Client };
        let cfg = DecoderConfig {
            role,
            max_frame_size: limits.0,
            max_message_size: limits.1,
            deflate: deflate.then(DeflateParams::default),
            ..Default::default()
        };
        let (bytes, frames) = build(role, &specs);
        let (mut c1, mut c2) = (cut_a.index(bytes.len() + 1), cut_b.index(bytes.len() + 1));
        if c1 > c2 {
            std::mem::swap(&mut c1, &mut c2);
        }
        // A decoder that consumed bytes[..c1], in two pushes.
        let mut d = Decoder::new(cfg);
        let s = split.index(c1 + 1);
        let early = push(&mut d, &bytes[..s]).and_then(|()| push(&mut d, &bytes[s..c1]));
        let input = &bytes[c1..c2];
        let la = d.lookahead(input);
        let starts: Vec<usize> = frames.iter().map(|f| f.0).collect();
        let mid_header = frames.iter().any(|&(st, hl, _)| st < c1 && c1 < st + hl);
        if early.is_err() || mid_header {
            prop_assert_eq!(la, Lookahead::Unknown);
            return Ok(());
        }
        prop_assert_ne!(la, Lookahead::Unknown);
        // The frame the decoder is in, if any: the last one that starts before c1.
        let current_end = frames
            .iter()
            .filter(|(st, _, _)| *st < c1)
            .map(|&(st, hl, len)| st + hl + len as usize)
            .next_back()
            .filter(|&end| end > c1);
        match la {
            Lookahead::Boundary => {
                prop_assert!(c2 == bytes.len() || starts.contains(&c2));
                prop_assert!(current_end.is_none_or(|e| e <= c2));
                if push(&mut d, input).is_ok() {
                    prop_assert!(d.at_frame_boundary());
                }
            }
            Lookahead::InFrame { remaining } => {
                let end = current_end.expect("inside a frame");
                prop_assert!(end > c2);
                prop_assert_eq!(remaining, (end - c2) as u64);
            }
            Lookahead::PartialHeader { at } => {
                let i = starts.iter().position(|&st| st == c1 + at).expect("a frame start");
                prop_assert!(c2 < frames[i].0 + frames[i].1);
                if push(&mut d, &input[..at]).is_ok() {
                    prop_assert!(d.at_frame_boundary());
                }
            }
            Lookahead::Incomplete { at, len, payload_len, acceptable } => {
                let start = c1 + at;
                let i = starts.iter().position(|&st| st == start).expect("a frame start");
                let hl = frames[i].1;
                prop_assert_eq!(payload_len, frames[i].2);
                prop_assert_eq!(len, (hl as u64) + frames[i].2);
                prop_assert!(c2 < start + len as usize);
                prop_assert!(c2 >= start + hl);
                // The decoder, given everything up to the end of that header: does it fail at it?
                let mut fresh = Decoder::new(cfg);
                match push(&mut fresh, &bytes[..start + hl]) {
                    Err(off) if off < start as u64 => {} // it fails before: the verdict is moot
                    Err(off) => prop_assert!(!acceptable && off == start as u64, "failed at {} (frame at {})", off, start),
                    Ok(()) => prop_assert!(acceptable, "accepted the frame at {}", start),
                }
            }
            Lookahead::Unknown => unreachable!(),
        }
    }

    #[test]
    fn any_bytes(state in proptest::collection::vec(any::<u8>(), 0..40), input in proptest::collection::vec(any::<u8>(), 0..300), server in any::<bool>()) {
        let role = if server { Role::Server } else { Role::Client };
        let mut d = Decoder::new(cfg(role));
        let _ = push(&mut d, &state);
        match d.lookahead(&input) {
            Lookahead::PartialHeader { at } => prop_assert!(at < input.len()),
            Lookahead::Incomplete { at, len, .. } => prop_assert!((at as u64).saturating_add(len) > input.len() as u64),
            _ => {}
        }
    }
}
