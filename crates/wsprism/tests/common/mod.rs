//! Helpers shared by the integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used
)]

use wsprism::{Decoder, DecoderConfig, Event, ProtocolError};

pub fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// An event with its payload copied out, comparable across chunkings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ev {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, String),
}

pub fn owned(ev: &Event, input: &[u8]) -> Ev {
    match ev {
        Event::Message {
            text: true,
            payload,
        } => Ev::Text(String::from_utf8(payload.as_slice(input).to_vec()).unwrap()),
        Event::Message {
            text: false,
            payload,
        } => Ev::Binary(payload.as_slice(input).to_vec()),
        Event::Ping(p) => Ev::Ping(p.as_slice(input).to_vec()),
        Event::Pong(p) => Ev::Pong(p.as_slice(input).to_vec()),
        Event::Close { code, payload } => Ev::Close(
            *code,
            String::from_utf8(
                payload
                    .as_slice(input)
                    .get(2..)
                    .unwrap_or_default()
                    .to_vec(),
            )
            .unwrap(),
        ),
    }
}

/// Decodes `bytes` fed in the given chunks; returns the events and the error, if any.
pub fn decode_chunks(
    cfg: DecoderConfig,
    bytes: &[u8],
    cuts: &[usize],
) -> (Vec<Ev>, Option<ProtocolError>) {
    let mut dec = Decoder::new(cfg);
    let mut evs = Vec::new();
    let mut start = 0;
    for &end in cuts.iter().chain(std::iter::once(&bytes.len())) {
        let end = end.clamp(start, bytes.len());
        let mut chunk = bytes[start..end].to_vec();
        let mut pos = 0;
        loop {
            match dec.next_event(&mut chunk, &mut pos) {
                Ok(Some(ev)) => evs.push(owned(&ev, &chunk)),
                Ok(None) => break,
                Err(e) => return (evs, Some(e)),
            }
        }
        assert_eq!(pos, chunk.len(), "decoder must consume every chunk");
        start = end;
    }
    (evs, None)
}

/// Decodes in one piece, then at every single split point, then byte by byte, and checks that
/// all give the same events and the same error (code and offset). Returns the one-piece result.
pub fn decode_every_split(cfg: DecoderConfig, bytes: &[u8]) -> (Vec<Ev>, Option<ProtocolError>) {
    let whole = decode_chunks(cfg, bytes, &[]);
    for cut in 0..=bytes.len() {
        let split = decode_chunks(cfg, bytes, &[cut]);
        assert_eq!(split, whole, "split at byte {cut}");
    }
    let cuts: Vec<usize> = (1..bytes.len()).collect();
    assert_eq!(decode_chunks(cfg, bytes, &cuts), whole, "byte by byte");
    whole
}
