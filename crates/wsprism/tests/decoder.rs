//! Byte-level tests of the decoder, one rule at a time, each fed at every split point.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used
)]

mod common;
use common::*;
use wsprism::close::CloseCode;
use wsprism::deflate::Deflater;
use wsprism::{
    encode_frame, Decoder, DecoderConfig, DeflateParams, Event, Payload, ProtocolErrorKind as K,
    Role,
};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn server() -> DecoderConfig {
    DecoderConfig {
        role: Role::Server,
        ..Default::default()
    }
}

fn client() -> DecoderConfig {
    DecoderConfig {
        role: Role::Client,
        ..Default::default()
    }
}

/// A masked client frame.
fn cf(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    encode_frame(&mut v, fin, [false; 3], opcode, Some(KEY), payload).unwrap();
    v
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn err_kind(cfg: DecoderConfig, bytes: &[u8]) -> (Vec<Ev>, K, u64) {
    let (evs, e) = decode_every_split(cfg, bytes);
    let e = e.expect("expected an error");
    (evs, e.kind, e.offset)
}

#[test]
fn fragments_with_interleaved_control_frames() {
    let bytes = cat(&[
        cf(false, 1, b"Hel"),
        cf(true, 9, b"ping!"),
        cf(false, 0, b"lo, "),
        cf(true, 10, b""),
        cf(true, 0, "wörld".as_bytes()),
        cf(true, 2, &[0, 1, 2]),
        cf(true, 8, &[0x03, 0xe8, b'o', b'k']),
    ]);
    let (evs, e) = decode_every_split(server(), &bytes);
    assert!(e.is_none());
    assert_eq!(
        evs,
        vec![
            Ev::Ping(b"ping!".to_vec()),
            Ev::Pong(vec![]),
            Ev::Text("Hello, wörld".into()),
            Ev::Binary(vec![0, 1, 2]),
            Ev::Close(Some(1000), "ok".into()),
        ]
    );
}

#[test]
fn empty_messages_and_empty_fragments() {
    let bytes = cat(&[
        cf(true, 1, b""),
        cf(false, 2, b""),
        cf(false, 0, b""),
        cf(true, 0, b""),
    ]);
    let (evs, e) = decode_every_split(server(), &bytes);
    assert!(e.is_none());
    assert_eq!(evs, vec![Ev::Text(String::new()), Ev::Binary(vec![])]);
}

#[test]
fn zero_copy_for_whole_single_frames() {
    let mut bytes = cat(&[cf(true, 1, b"abc"), cf(true, 2, b"defg")]);
    let evs = Decoder::new(server()).decode_all(&mut bytes).unwrap();
    assert_eq!(
        evs[0],
        Event::Message {
            text: true,
            payload: Payload::Input(6..9)
        }
    );
    assert_eq!(
        evs[1],
        Event::Message {
            text: false,
            payload: Payload::Input(15..19)
        }
    );
    assert_eq!(&bytes[6..9], b"abc", "unmasked in place");
}

#[test]
fn one_byte_fragments_do_not_allocate_per_fragment() {
    let msg: Vec<u8> = (0..4096u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut parts = vec![cf(false, 1, &msg[..1])];
    for b in &msg[1..msg.len() - 1] {
        parts.push(cf(false, 0, std::slice::from_ref(b)));
    }
    parts.push(cf(true, 0, &msg[msg.len() - 1..]));
    let mut bytes = cat(&parts);
    let mut dec = Decoder::new(server());
    let evs = dec.decode_all(&mut bytes).unwrap();
    match &evs[..] {
        [Event::Message {
            text: true,
            payload: Payload::Owned(v),
        }] => {
            assert_eq!(v, &msg);
            // One growing buffer: capacity stays within a doubling of the message.
            assert!(v.capacity() <= 2 * msg.len(), "capacity {}", v.capacity());
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(dec.buffered(), 0);
}

#[test]
fn header_rules_fail_with_1002_at_the_frame_offset() {
    let ok = cf(true, 1, b"x");
    let cases: Vec<(Vec<u8>, K)> = vec![
        (cf(true, 3, b""), K::ReservedOpcode(3)),
        (cf(true, 0xb, b""), K::ReservedOpcode(0xb)),
        (cf(true, 0, b"x"), K::UnexpectedContinuation),
        (
            cat(&[cf(false, 1, b"a"), cf(true, 1, b"b")]),
            K::ExpectedContinuation(1),
        ),
        (cf(false, 9, b""), K::FragmentedControl(9)),
        (cf(true, 9, &[0; 126]), K::ControlTooLong(126)),
        (
            {
                let mut v = cf(true, 1, b"x");
                v[0] |= 0x40;
                v
            },
            K::UnexpectedRsv1,
        ),
        (
            {
                let mut v = cf(true, 1, b"x");
                v[0] |= 0x10;
                v
            },
            K::UnexpectedRsv23,
        ),
        (vec![0x81, 0x01, b'x'], K::ExpectedMask),
        (
            vec![0x81, 0xfe, 0x00, 0x05, 1, 2, 3, 4],
            K::NonMinimalLength { len: 5, width: 2 },
        ),
        (
            vec![0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4],
            K::LengthTopBit,
        ),
        (
            vec![0x82, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4],
            K::NonMinimalLength {
                len: 0xffff,
                width: 8,
            },
        ),
    ];
    for (frame, kind) in cases {
        let bytes = cat(&[ok.clone(), frame]);
        let (evs, k, off) = err_kind(server(), &bytes);
        assert_eq!(k, kind);
        assert_eq!(k.close_code(), 1002);
        // The error comes after the valid first frame's message, pointing at the bad frame
        // (for ExpectedContinuation, at the second frame of the pair).
        assert_eq!(evs, vec![Ev::Text("x".into())], "{kind:?}");
        assert!(off >= ok.len() as u64, "{kind:?} at {off}");
    }
    let (_, k, _) = err_kind(client(), &cf(true, 1, b"x"));
    assert_eq!(k, K::UnexpectedMask);
}

#[test]
fn limits_are_checked_on_the_header() {
    // A declared 2^62-byte frame fails at once with 1009 (nothing buffered).
    let bytes = [0x82, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
    let (_, k, off) = err_kind(server(), &bytes);
    assert!(matches!(k, K::FrameTooBig { .. }));
    assert_eq!((k.close_code(), off), (CloseCode::MESSAGE_TOO_BIG, 0));
    // Message limit across fragments, before the payload of the offending fragment arrives.
    let cfg = DecoderConfig {
        max_message_size: 10,
        ..server()
    };
    let mut bytes = cat(&[cf(false, 2, &[0; 6]), cf(true, 0, &[0; 6])]);
    bytes.truncate(12 + 6); // only the second header arrives
    let (_, k, off) = err_kind(cfg, &bytes);
    assert_eq!(k, K::MessageTooBig { len: 12, max: 10 });
    assert_eq!(off, 12);
    let cfg = DecoderConfig {
        max_frame_size: 4,
        ..server()
    };
    let (_, k, _) = err_kind(cfg, &cf(true, 2, &[0; 5]));
    assert_eq!(k, K::FrameTooBig { len: 5, max: 4 });
    assert!(decode_every_split(cfg, &cf(true, 2, &[0; 4])).1.is_none());
}

#[test]
fn utf8_fails_fast_inside_a_frame_and_across_fragments() {
    // Autobahn 6.4.1-style: the invalid sequence arrives, the rest of the frame has not.
    let mut payload = "κόσμε".as_bytes().to_vec();
    let bad_at = payload.len();
    payload.extend_from_slice(&[0xf4, 0x90, 0x80, 0x80]);
    payload.extend_from_slice(b"edited");
    let frame = cf(true, 1, &payload);
    let header = 6;
    let mut dec = Decoder::new(server());
    let mut head = frame[..header + bad_at + 2].to_vec();
    let e = dec.decode_all(&mut head).unwrap_err();
    assert_eq!(e.kind, K::InvalidUtf8);
    assert_eq!(e.offset, (header + bad_at) as u64);
    assert_eq!(e.close_code(), 1007);
    // Across fragments: the sequence is split between two frames and is invalid.
    let bytes = cat(&[cf(false, 1, &[b'a', 0xed]), cf(true, 0, &[0xa0, 0x80])]);
    let (_, k, off) = err_kind(server(), &bytes);
    assert_eq!(k, K::InvalidUtf8);
    assert_eq!(off, 7, "points at the 0xed that began the bad sequence");
    // Valid when split between fragments.
    let euro = "€".as_bytes();
    let bytes = cat(&[
        cf(false, 1, &euro[..1]),
        cf(true, 9, b""),
        cf(true, 0, &euro[1..]),
    ]);
    assert_eq!(
        decode_every_split(server(), &bytes).0,
        vec![Ev::Ping(vec![]), Ev::Text("€".into())]
    );
    // Unfinished at the end of the message.
    let (_, k, _) = err_kind(server(), &cf(true, 1, &euro[..2]));
    assert_eq!(k, K::InvalidUtf8);
    // Binary messages are not checked.
    assert!(decode_every_split(server(), &cf(true, 2, &[0xff]))
        .1
        .is_none());
}

#[test]
fn close_frames() {
    let (evs, e) = decode_every_split(server(), &cf(true, 8, b""));
    assert!(e.is_none());
    assert_eq!(evs, vec![Ev::Close(None, String::new())]);
    for code in [
        1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999,
    ] {
        let (evs, e) = decode_every_split(server(), &cf(true, 8, &code.to_be_bytes()));
        assert!(e.is_none(), "{code}");
        assert_eq!(evs, vec![Ev::Close(Some(code), String::new())]);
    }
    for code in [0u16, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
        let (_, k, _) = err_kind(server(), &cf(true, 8, &code.to_be_bytes()));
        assert_eq!(k, K::InvalidCloseCode(code));
    }
    let (_, k, _) = err_kind(server(), &cf(true, 8, &[3]));
    assert_eq!(k, K::CloseTooShort);
    let (_, k, _) = err_kind(server(), &cf(true, 8, &[0x03, 0xe8, 0xc3]));
    assert_eq!(k, K::InvalidUtf8);
    let max_reason = [&[0x03u8, 0xe8][..], &[b'r'; 123]].concat();
    assert!(decode_every_split(server(), &cf(true, 8, &max_reason))
        .1
        .is_none());
    // Nothing may follow a close.
    let (evs, k, _) = err_kind(server(), &cat(&[cf(true, 8, b""), cf(true, 1, b"late")]));
    assert_eq!(evs.len(), 1);
    assert_eq!(k, K::DataAfterClose);
}

#[test]
fn a_failed_decoder_stays_failed() {
    let mut dec = Decoder::new(server());
    let e1 = dec.decode_all(&mut cf(true, 3, b"")).unwrap_err();
    let e2 = dec.decode_all(&mut cf(true, 1, b"fine")).unwrap_err();
    assert_eq!(e1, e2);
    assert_eq!(dec.error(), Some(&e1));
}

fn compressed_frames(msgs: &[&[u8]], params: DeflateParams, fragment: Option<usize>) -> Vec<u8> {
    let mut d = Deflater::new(
        params.client_max_window_bits,
        params.client_no_context_takeover,
        6,
    );
    let mut out = Vec::new();
    for m in msgs {
        let mut c = Vec::new();
        d.compress(m, &mut c).unwrap();
        match fragment {
            Some(n) if c.len() > n => {
                let chunks: Vec<&[u8]> = c.chunks(n).collect();
                for (i, ch) in chunks.iter().enumerate() {
                    let op = if i == 0 { 1 } else { 0 };
                    encode_frame(
                        &mut out,
                        i + 1 == chunks.len(),
                        [i == 0, false, false],
                        op,
                        Some(KEY),
                        ch,
                    )
                    .unwrap();
                }
            }
            _ => encode_frame(&mut out, true, [true, false, false], 1, Some(KEY), &c).unwrap(),
        }
    }
    out
}

#[test]
fn permessage_deflate_with_and_without_context_takeover() {
    let msgs: [&[u8]; 3] = [
        b"Hello Hello Hello",
        b"Hello Hello Hello",
        "ünïcödé ünïcödé".as_bytes(),
    ];
    for takeover in [true, false] {
        for bits in [9u8, 12, 15] {
            for fragment in [None, Some(1), Some(3)] {
                let params = DeflateParams {
                    client_no_context_takeover: !takeover,
                    client_max_window_bits: bits,
                    ..Default::default()
                };
                let bytes = compressed_frames(&msgs, params, fragment);
                let cfg = DecoderConfig {
                    deflate: Some(params),
                    ..server()
                };
                let (evs, e) = if fragment == Some(1) {
                    decode_chunks(cfg, &bytes, &[]) // every split of many 1-byte frames is slow; whole only
                } else {
                    decode_every_split(cfg, &bytes)
                };
                assert!(e.is_none(), "{e:?}");
                let want: Vec<Ev> = msgs
                    .iter()
                    .map(|m| Ev::Text(String::from_utf8(m.to_vec()).unwrap()))
                    .collect();
                assert_eq!(
                    evs, want,
                    "takeover {takeover} bits {bits} fragment {fragment:?}"
                );
            }
        }
    }
}

#[test]
fn deflate_rules() {
    let params = DeflateParams::default();
    let cfg = DecoderConfig {
        deflate: Some(params),
        ..server()
    };
    // RSV1 on a continuation frame.
    let mut bytes = compressed_frames(&[b"abcdefgh"], params, Some(2));
    bytes[8] |= 0x40; // second frame header: first frame is 6 + 2 bytes
    let (_, k, off) = err_kind(cfg, &bytes);
    assert_eq!((k, off), (K::UnexpectedRsv1, 8));
    // Corrupt deflate data is 1007.
    let mut bad = Vec::new();
    encode_frame(
        &mut bad,
        true,
        [true, false, false],
        2,
        Some(KEY),
        &[0xff, 0xff, 0xff],
    )
    .unwrap();
    let (_, k, _) = err_kind(cfg, &bad);
    assert_eq!(
        (k.clone(), k.close_code()),
        (K::InvalidCompressedData, CloseCode::INVALID_PAYLOAD)
    );
    // A bomb fails at the message limit with 1009.
    let zeros = vec![0u8; 8 << 20];
    let bytes = compressed_frames(&[&zeros], params, None);
    let small = DecoderConfig {
        max_message_size: 1 << 20,
        ..cfg
    };
    let (_, k, _) = err_kind(small, &bytes);
    assert!(matches!(k, K::MessageTooBig { max, .. } if max == 1 << 20));
    // Invalid UTF-8 inside compressed text.
    let bytes = compressed_frames(&[&[b'a', 0xff, b'b']], params, None);
    let (_, k, _) = err_kind(cfg, &bytes);
    assert_eq!(k, K::InvalidUtf8);
}

#[test]
fn client_role_unmasked_frames() {
    let mut bytes = Vec::new();
    encode_frame(&mut bytes, true, [false; 3], 1, None, b"Hello").unwrap();
    encode_frame(&mut bytes, true, [false; 3], 9, None, b"").unwrap();
    let (evs, e) = decode_every_split(client(), &bytes);
    assert!(e.is_none());
    assert_eq!(evs, vec![Ev::Text("Hello".into()), Ev::Ping(vec![])]);
}

#[test]
fn large_frames_across_many_reads() {
    let payload: Vec<u8> = (0..200_000u32).map(|i| (i * 31) as u8).collect();
    let bytes = cf(true, 2, &payload);
    let cuts: Vec<usize> = (1..bytes.len()).step_by(4093).collect();
    let (evs, e) = decode_chunks(server(), &bytes, &cuts);
    assert!(e.is_none());
    assert_eq!(evs, vec![Ev::Binary(payload)]);
}

#[test]
fn waiting_for_describes_the_cut() {
    let bytes = cf(true, 1, b"Hello");
    let mut dec = Decoder::new(server());
    dec.decode_all(&mut bytes[..1].to_vec()).unwrap();
    assert_eq!(dec.waiting_for(), "1 more header bytes (1 received)");
    dec.decode_all(&mut bytes[1..7].to_vec()).unwrap();
    assert_eq!(
        dec.waiting_for(),
        "4 more payload bytes of a 5-byte text frame"
    );
    assert!(dec.is_partial());
    assert_eq!(dec.decode_all(&mut bytes[7..].to_vec()).unwrap().len(), 1);
    assert!(!dec.is_partial());
}

#[test]
fn fuzz_regressions() {
    // fuzz/regressions/decoder/chunking-changes-inflate-error-kind: a stored block holding
    // 0x80 (invalid UTF-8), then a block of the invalid type 11. Any chunking: InvalidUtf8.
    let cfg = DecoderConfig {
        role: Role::Client,
        deflate: Some(DeflateParams::default()),
        ..Default::default()
    };
    let bytes = unhex("c107000100feff8007");
    let (_, k, off) = err_kind(cfg, &bytes);
    assert_eq!((k, off), (K::InvalidUtf8, 0));
    // fuzz/regressions/decoder/chunking-changes-1009-to-1007: the first inflated byte already
    // passes a zero limit, and corrupt bits follow: 1009 whatever the segmentation.
    let cfg = DecoderConfig {
        role: Role::Client,
        max_message_size: 0,
        max_frame_size: 320,
        deflate: Some(DeflateParams {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            ..Default::default()
        }),
        ..Default::default()
    };
    let (_, k, _) = err_kind(cfg, &unhex("412e3a0700c9d40700"));
    assert_eq!(k, K::MessageTooBig { len: 1, max: 0 });
    // fuzz/regressions/inspect/error-frame-offset-overflow: a length near u64::MAX.
    let r = wsprism::inspect::inspect_stream(
        &unhex("827fffffffffffffffff"),
        &wsprism::inspect::InspectOptions {
            role: Role::Client,
            ..Default::default()
        },
    );
    assert_eq!(r.error.map(|e| e.close_code), Some(1002));
}

#[test]
fn boundary_accessors() {
    let bytes = cat(&[cf(false, 1, b"ab"), cf(true, 0, b"cd")]);
    let mut dec = Decoder::new(server());
    assert!(dec.at_frame_boundary() && !dec.in_message());
    dec.decode_all(&mut bytes[..3].to_vec()).unwrap();
    assert!(!dec.at_frame_boundary());
    dec.decode_all(&mut bytes[3..8].to_vec()).unwrap();
    assert!(dec.at_frame_boundary() && dec.in_message());
    assert_eq!(dec.decode_all(&mut bytes[8..].to_vec()).unwrap().len(), 1);
    assert!(dec.at_frame_boundary() && !dec.in_message());
}

/// `ProtocolErrorKind::detail`: the number each violation is about, from the bytes on the wire.
#[test]
fn error_detail_is_the_number_on_the_wire() {
    let detail = |cfg: DecoderConfig, bytes: &[u8]| err_kind(cfg, bytes).1.detail();
    // reserved opcode 0x3
    assert_eq!(detail(server(), &cf(true, 0x3, b"")), Some(3));
    // a continuation frame with no message open: 0
    assert_eq!(detail(server(), &cf(true, 0x0, b"x")), Some(0));
    // a text frame while a fragmented message is open: the opcode received (1)
    assert_eq!(
        detail(server(), &cat(&[cf(false, 0x1, b"a"), cf(true, 0x1, b"b")])),
        Some(1)
    );
    // a fragmented ping (FIN clear): 9
    assert_eq!(detail(server(), &cf(false, 0x9, b"")), Some(9));
    // a 126-byte ping
    assert_eq!(detail(server(), &cf(true, 0x9, &[0u8; 126])), Some(126));
    // a close payload of one byte: 1
    assert_eq!(detail(server(), &cf(true, 0x8, &[0x03])), Some(1));
    // close code 999 (0x03e7)
    assert_eq!(detail(server(), &cf(true, 0x8, &[0x03, 0xe7])), Some(999));
    // a frame declaring 2^62 bytes (over any maximum): the declared length
    let mut big = vec![0x82, 0xff];
    big.extend_from_slice(&(1u64 << 62).to_be_bytes());
    big.extend_from_slice(&KEY);
    assert_eq!(detail(server(), &big), Some(1 << 62));
    // kinds with no number
    assert_eq!(detail(client(), &cf(true, 0x1, b"x")), None); // masked frame to a client
    assert_eq!(K::InvalidUtf8.detail(), None);
}

#[test]
fn fragment_limit_counts_every_data_frame_of_a_message() {
    let cfg = DecoderConfig {
        max_fragments: 3,
        ..server()
    };
    // Three data frames (one empty), with control frames between them: accepted.
    let ok = cat(&[
        cf(false, 1, b"a"),
        cf(true, 9, b"p"),
        cf(false, 0, b""),
        cf(true, 0, b"c"),
    ]);
    let (evs, e) = decode_every_split(cfg, &ok);
    assert!(e.is_none());
    assert_eq!(evs, vec![Ev::Ping(b"p".to_vec()), Ev::Text("ac".into())]);
    // The count starts again with each message: two 3-frame messages in a row.
    let two = cat(&[ok.clone(), ok.clone()]);
    assert!(decode_every_split(cfg, &two).1.is_none());
    // A fourth frame (empty, as `ws` counts them) fails at its first byte with 1008, before its
    // payload arrives.
    let first3 = cat(&[cf(false, 2, b"x"), cf(false, 0, b""), cf(false, 0, b"")]);
    let mut bytes = cat(&[first3.clone(), cf(true, 0, b"yz")]);
    bytes.truncate(first3.len() + 6); // its header only
    let (evs, k, off) = err_kind(cfg, &bytes);
    assert!(evs.is_empty());
    assert_eq!(k, K::TooManyFragments { max: 3 });
    assert_eq!(off, first3.len() as u64);
    assert_eq!(k.close_code(), CloseCode::POLICY_VIOLATION);
    assert_eq!(k.code(), "WS_ERR_TOO_MANY_FRAGMENTS");
    assert_eq!(k.detail(), Some(3));
    // max_fragments 1: whole messages only.
    let one = DecoderConfig {
        max_fragments: 1,
        ..server()
    };
    assert!(decode_every_split(one, &cf(true, 2, b"whole")).1.is_none());
    let (_, k, off) = err_kind(one, &cat(&[cf(false, 2, b"a"), cf(true, 0, b"b")]));
    assert_eq!((k, off), (K::TooManyFragments { max: 1 }, 7));
    // 0: no limit.
    let many: Vec<Vec<u8>> = std::iter::once(cf(false, 2, b""))
        .chain((0..2000).map(|_| cf(false, 0, b"")))
        .chain(std::iter::once(cf(true, 0, b"!")))
        .collect();
    let (evs, e) = decode_chunks(server(), &cat(&many), &[]);
    assert!(e.is_none());
    assert_eq!(evs, vec![Ev::Binary(b"!".to_vec())]);
    // The lookahead judges the header the same way.
    let mut dec = Decoder::new(one);
    let mut first = cf(false, 2, b"a");
    assert!(dec.next_event(&mut first, &mut 0).unwrap().is_none());
    let next = cf(true, 0, &[0; 300]);
    assert!(matches!(
        dec.lookahead(&next[..10]),
        wsprism::decoder::Lookahead::Incomplete {
            acceptable: false,
            ..
        }
    ));
}

#[test]
fn chunk_limit_counts_chunks_that_end_inside_one_frame() {
    let cfg = DecoderConfig {
        max_buffered_chunks: 2,
        ..server()
    };
    let frame = cf(true, 2, &[7; 20]); // 26 bytes
                                       // Cut twice (two chunks end inside the frame, the third completes it): accepted.
    let (evs, e) = decode_chunks(cfg, &frame, &[1, 10]);
    assert!(e.is_none());
    assert_eq!(evs, vec![Ev::Binary(vec![7; 20])]);
    // Cut three times: the third chunk that ends inside it fails, at the frame's first byte.
    let (evs, e) = decode_chunks(cfg, &frame, &[1, 10, 20]);
    assert!(evs.is_empty());
    let e = e.unwrap();
    assert_eq!(e.kind, K::TooManyBufferedChunks { max: 2 });
    assert_eq!((e.offset, e.close_code()), (0, CloseCode::POLICY_VIOLATION));
    assert_eq!(e.code(), "WS_ERR_TOO_MANY_BUFFERED_CHUNKS");
    // The count is per frame: a chunk that completes one frame and ends inside the next counts
    // for the next only, so every frame may be cut twice.
    let stream = cat(&[frame.clone(), frame.clone(), frame.clone()]);
    let cuts = [5, 15, 31, 41, 57, 67];
    let (evs, e) = decode_chunks(cfg, &stream, &cuts);
    assert!(e.is_none());
    assert_eq!(evs.len(), 3);
    // A second frame cut three times fails at its own offset.
    let (_, e) = decode_chunks(cfg, &stream, &[30, 35, 40, 45]);
    assert_eq!(e.unwrap().offset, 26);
    // Partial headers count too (a byte at a time).
    let (_, e) = decode_chunks(cfg, &frame, &[1, 2, 3]);
    assert_eq!(e.unwrap().kind, K::TooManyBufferedChunks { max: 2 });
    // 0: no limit (byte by byte through a 26-byte frame).
    let cuts: Vec<usize> = (1..frame.len()).collect();
    assert!(decode_chunks(server(), &frame, &cuts).1.is_none());
}

#[test]
fn held_chunks_count_like_fed_ones() {
    let cfg = DecoderConfig {
        max_buffered_chunks: 2,
        ..server()
    };
    // A binding holds two pieces of the next frame itself, then pushes it whole: accepted.
    let frame = cf(true, 2, &[1; 40]);
    let mut dec = Decoder::new(cfg);
    dec.hold_chunk().unwrap();
    dec.hold_chunk().unwrap();
    let mut whole = frame.clone();
    assert!(dec.next_event(&mut whole, &mut 0).unwrap().is_some());
    // The next frame starts a new count; held and fed chunks add up.
    let mut dec2 = Decoder::new(cfg);
    let mut a = frame[..3].to_vec();
    assert!(dec2.next_event(&mut a, &mut 0).unwrap().is_none());
    let e = dec2.hold_chunk();
    assert!(e.is_ok(), "the count is per frame, held or fed");
    let mut d = Decoder::new(cfg);
    let mut w = frame.clone();
    d.next_event(&mut w, &mut 0).unwrap().unwrap();
    d.hold_chunk().unwrap();
    d.hold_chunk().unwrap();
    let e = d.hold_chunk().unwrap_err();
    assert_eq!(e.kind, K::TooManyBufferedChunks { max: 2 });
    assert_eq!(e.offset, frame.len() as u64);
    // A failed decoder stays failed.
    assert_eq!(d.next_event(&mut frame.clone(), &mut 0).unwrap_err(), e);
    assert_eq!(d.hold_chunk().unwrap_err(), e);
}

#[test]
fn unmasked_client_frames_are_sent_only_on_request_and_refused_by_a_server() {
    use wsprism::{Encoder, EncoderConfig, MessageOptions};
    let mut enc = Encoder::new(EncoderConfig {
        role: Role::Client,
        ..Default::default()
    });
    let unmasked = MessageOptions {
        unmasked: true,
        fragment_size: Some(1),
        ..Default::default()
    };
    let mut out = Vec::new();
    enc.message(true, b"hi", &unmasked, &mut out).unwrap();
    // Two fragments, neither with the MASK bit or a key.
    assert_eq!(out, [0x01, 0x01, b'h', 0x80, 0x01, b'i']);
    let mut masked = Vec::new();
    enc.message(true, b"hi", &MessageOptions::default(), &mut masked)
        .unwrap();
    assert_eq!(masked.len(), 8);
    assert_eq!(masked[1], 0x82);
    let (_, k, offset) = err_kind(server(), &out);
    assert_eq!((k, offset), (K::ExpectedMask, 0));
}
