//! Encoder -> Decoder round trip: whatever messages the encoder writes, the peer's decoder must
//! give back byte for byte (with and without permessage-deflate, fragmentation, fixed or random
//! masks, both directions, any chunking of the wire bytes).
//!
//! Input layout: `[flags, window_bits, level, fragment, chunk, ops...]`
//! - flags: bit0 deflate negotiated, bit1 fixed mask (4 more bytes follow the header), bit2
//!   fragment messages, bit3 server_no_context_takeover, bit4 client_no_context_takeover,
//!   bit5 direction (0: client encodes -> server decodes, 1: server -> client), bit6 large
//!   fragments (x16), bit7 end with a close frame;
//! - window_bits: low 3 bits server 8..=15, bits 4..6 client 8..=15;
//! - level: % 10 is the compression level, % 9 + 1 the compressor's memLevel;
//! - fragment: fragment size - 1; chunk: wire chunk size - 1 (255: all at once);
//! - ops: `[op, len, bytes...]`; op & 3: 0 text, 1 binary, 2 ping, 3 piecewise (`fragment()`);
//!   op & 4 compress; op & 8 len x 8; op & 16 repeat the bytes (compressible); op >> 5 pieces.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsprism::{
    Decoder, DecoderConfig, DeflateParams, Encoder, EncoderConfig, Event, MessageOptions, Role,
};

/// `WSPRISM_FUZZ_STRICT=1` disables the workaround for the reported encoder bug (see
/// fuzz/README.md, "Findings"): a compressed message (or final fragment) whose deflate output is
/// empty, because nothing was fed since the previous sync flush, is sent as an empty payload,
/// which leaves the peer's inflater inside a truncated stored block and breaks the next message.
/// Without it, an empty final piece of a compressed message is sent as one space instead.
fn strict() -> bool {
    static S: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *S.get_or_init(|| std::env::var_os("WSPRISM_FUZZ_STRICT").is_some_and(|v| v == "1"))
}

fn avoid_known_bug(p: &mut Vec<u8>, compressed: bool) {
    if compressed && p.is_empty() && !strict() {
        p.push(b' ');
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*b)
    }
    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Ev {
    Msg(bool, Vec<u8>),
    Ping(Vec<u8>),
    Close(Option<u16>, Vec<u8>),
}

fn payload(r: &mut Reader<'_>, op: u8, text: bool) -> Vec<u8> {
    let mut len = usize::from(r.byte().unwrap_or(0));
    if op & 8 != 0 {
        len *= 8;
    }
    let raw = r.take(len);
    let mut v = if op & 16 != 0 && !raw.is_empty() {
        raw.iter().copied().cycle().take(raw.len() * 32).collect()
    } else {
        raw.to_vec()
    };
    if text {
        v = String::from_utf8_lossy(&v).into_owned().into_bytes();
    }
    v
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader(data);
    let (Some(flags), Some(bits), Some(level), Some(frag), Some(chunk)) =
        (r.byte(), r.byte(), r.byte(), r.byte(), r.byte())
    else {
        return;
    };
    let deflate = (flags & 1 != 0).then(|| DeflateParams {
        server_no_context_takeover: flags & 8 != 0,
        client_no_context_takeover: flags & 16 != 0,
        server_max_window_bits: 8 + (bits & 7),
        client_max_window_bits: 8 + ((bits >> 4) & 7),
    });
    let mask = if flags & 2 != 0 {
        let k = r.take(4);
        let mut m = [0u8; 4];
        m[..k.len()].copy_from_slice(k);
        Some(m)
    } else {
        None
    };
    let fragment_size = (flags & 4 != 0).then(|| {
        (usize::from(frag) + 1) * if flags & 64 != 0 { 16 } else { 1 }
    });
    let (enc_role, dec_role) = if flags & 32 == 0 {
        (Role::Client, Role::Server)
    } else {
        (Role::Server, Role::Client)
    };
    let mut enc = Encoder::new(EncoderConfig {
        role: enc_role,
        deflate,
        level: Some(u32::from(level % 10)),
        mem_level: Some(level % 9 + 1),
    });

    let mut wire = Vec::new();
    let mut expected = Vec::new();
    while let Some(op) = r.byte() {
        let compress = op & 4 != 0 && deflate.is_some();
        let opts = MessageOptions { fragment_size, compress, mask };
        match op & 3 {
            0 | 1 => {
                let text = op & 3 == 0;
                let mut p = payload(&mut r, op, text);
                avoid_known_bug(&mut p, compress);
                enc.message(text, &p, &opts, &mut wire).expect("encode message");
                expected.push(Ev::Msg(text, p));
            }
            2 => {
                let p = payload(&mut r, op & !16, false);
                let p = &p[..p.len().min(125)];
                enc.control(wsprism::OpCode::Ping, p, mask, &mut wire).expect("encode ping");
                expected.push(Ev::Ping(p.to_vec()));
            }
            _ => {
                let text = op & 16 != 0;
                let pieces = usize::from(op >> 5) + 1;
                let mut whole = Vec::new();
                for i in 0..pieces {
                    let mut p = payload(&mut r, op & !16, text);
                    if i + 1 == pieces {
                        avoid_known_bug(&mut p, compress);
                    }
                    enc.fragment(text, &p, i + 1 == pieces, &opts, &mut wire).expect("encode fragment");
                    whole.extend_from_slice(&p);
                }
                assert!(!enc.in_message());
                expected.push(Ev::Msg(text, whole));
            }
        }
    }
    if flags & 128 != 0 {
        enc.close(Some(1000), "bye", &mut wire).expect("encode close");
        let mut p = 1000u16.to_be_bytes().to_vec();
        p.extend_from_slice(b"bye");
        expected.push(Ev::Close(Some(1000), p));
    }

    let mut dec = Decoder::new(DecoderConfig { role: dec_role, deflate, ..Default::default() });
    let size = if chunk == 255 { wire.len().max(1) } else { usize::from(chunk) + 1 };
    let mut got = Vec::new();
    for piece in wire.chunks(size) {
        let mut buf = piece.to_vec();
        let mut pos = 0;
        loop {
            match dec.next_event(&mut buf, &mut pos) {
                Ok(Some(ev)) => got.push(match ev {
                    Event::Message { text, payload } => Ev::Msg(text, payload.as_slice(&buf).to_vec()),
                    Event::Ping(p) => Ev::Ping(p.as_slice(&buf).to_vec()),
                    Event::Close { code, payload } => Ev::Close(code, payload.as_slice(&buf).to_vec()),
                    Event::Pong(p) => panic!("no pong was sent: {p:?}"),
                }),
                Ok(None) => break,
                Err(e) => panic!("decoder rejected encoder output: {e} (after {} events)", got.len()),
            }
        }
    }
    assert_eq!(got.len(), expected.len(), "event count");
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert!(g == e, "event {i} differs: got {g:?}, expected {e:?}");
    }
    assert!(!dec.is_partial(), "decoder still waiting for {}", dec.waiting_for());
    assert_eq!(dec.offset(), wire.len() as u64);
});
