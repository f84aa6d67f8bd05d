//! permessage-deflate (RFC 7692): negotiating parameters, and compressing and decompressing
//! messages with or without context takeover.
//!
//! A compressed message is a raw DEFLATE stream flushed with `Z_SYNC_FLUSH`, minus the
//! `00 00 ff ff` that the flush always ends with (§7.2.1); the receiver appends those four bytes
//! back before inflating (§7.2.2). With context takeover, the LZ77 window carries over from one
//! message to the next, so a repeated message compresses to a few bytes.
//!
//! Inflation is bounded: output is produced in slices, and the message fails with
//! [`ProtocolErrorKind::MessageTooBig`] (close code 1009) the moment it passes the limit, so a
//! decompression bomb never allocates its full size.

use crate::error::{EncodeError, ProtocolErrorKind};
use crate::handshake::{Extension, HandshakeError, HandshakeErrorKind};

/// The extension token.
pub const NAME: &str = "permessage-deflate";

/// The bytes a sync flush ends with, stripped on send and re-appended on receive.
pub const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Parameters agreed for one connection (RFC 7692 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DeflateParams {
    /// The server resets its compression context after each message.
    pub server_no_context_takeover: bool,
    /// The client resets its compression context after each message.
    pub client_no_context_takeover: bool,
    /// The server's LZ77 window is at most 2^this bytes (8-15).
    pub server_max_window_bits: u8,
    /// The client's LZ77 window is at most 2^this bytes (8-15).
    pub client_max_window_bits: u8,
}

impl Default for DeflateParams {
    fn default() -> Self {
        Self {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: 15,
            client_max_window_bits: 15,
        }
    }
}

/// What a server will agree to, or a client will ask for (the `ws` package's option names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct DeflateConfig {
    /// Server: always reset its own context (answer with `server_no_context_takeover`).
    /// Client: ask the server to.
    pub server_no_context_takeover: bool,
    /// Server: ask the client to reset its context. Client: reset its own.
    pub client_no_context_takeover: bool,
    /// Server: the largest window it will use. Client: ask the server for at most this.
    pub server_max_window_bits: Option<u8>,
    /// Server: ask the client for at most this (only if the client offered the parameter).
    /// Client: the window it will use (and offer).
    pub client_max_window_bits: Option<u8>,
    /// Compression level 0-9 (default 6, like zlib).
    pub level: u32,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        Self {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: None,
            client_max_window_bits: None,
            level: 6,
        }
    }
}

/// One offer, validated (RFC 7692 §7.1: unknown, repeated or out-of-range parameters make the
/// whole offer invalid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Offer {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    /// `Some(None)`: offered without a value.
    client_max_window_bits: Option<Option<u8>>,
}

fn bits(v: Option<&str>) -> Result<u8, String> {
    // Only 1*DIGIT without leading zeros, 8..=15 (RFC 7692 §7.1.2).
    match v {
        Some(s) if !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit()) => {
            match s.parse() {
                Ok(n @ 8..=15) => Ok(n),
                _ => Err(format!("window bits {s:?} out of range 8-15")),
            }
        }
        Some(s) => Err(format!("invalid window bits {s:?}")),
        None => Err("window bits without a value".into()),
    }
}

fn parse_offer(ext: &Extension, is_response: bool) -> Result<Offer, String> {
    let mut o = Offer::default();
    let mut seen: Vec<&str> = Vec::new();
    for (k, v) in &ext.params {
        if seen.contains(&k.as_str()) {
            return Err(format!("parameter {k} repeated"));
        }
        seen.push(k);
        match k.as_str() {
            "server_no_context_takeover" | "client_no_context_takeover" if v.is_some() => {
                return Err(format!("{k} takes no value"))
            }
            "server_no_context_takeover" => o.server_no_context_takeover = true,
            "client_no_context_takeover" => o.client_no_context_takeover = true,
            "server_max_window_bits" => o.server_max_window_bits = Some(bits(v.as_deref())?),
            "client_max_window_bits" if v.is_none() && !is_response => {
                o.client_max_window_bits = Some(None)
            }
            "client_max_window_bits" => o.client_max_window_bits = Some(Some(bits(v.as_deref())?)),
            _ => return Err(format!("unknown parameter {k}")),
        }
    }
    Ok(o)
}

/// The outcome of server-side negotiation: the agreed parameters and the header value to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// Agreed parameters.
    pub params: DeflateParams,
    /// The `Sec-WebSocket-Extensions` value for the response.
    pub response: String,
}

/// Server side: picks the first acceptable `permessage-deflate` offer (RFC 7692 §5, §7.1) and
/// builds the response. Invalid offers are declined, never fatal. Returns `None` if no offer is
/// acceptable (the connection then runs without compression).
///
/// zlib cannot compress with a 256-byte window (`server_max_window_bits=8`): such a request is
/// honoured by compressing without LZ77 back-references, which is valid for any window.
pub fn negotiate(offers: &[Extension], cfg: &DeflateConfig) -> Option<Negotiated> {
    for ext in offers.iter().filter(|e| e.name == NAME) {
        let Ok(offer) = parse_offer(ext, false) else {
            continue;
        };
        let mut p = DeflateParams::default();
        let mut resp = vec![NAME.to_string()];
        if offer.server_no_context_takeover || cfg.server_no_context_takeover {
            p.server_no_context_takeover = true;
            resp.push("server_no_context_takeover".into());
        }
        if offer.client_no_context_takeover || cfg.client_no_context_takeover {
            p.client_no_context_takeover = true;
            resp.push("client_no_context_takeover".into());
        }
        let server_bits = match (offer.server_max_window_bits, cfg.server_max_window_bits) {
            (Some(o), Some(c)) => Some(o.min(c)),
            (Some(o), None) => Some(o),
            (None, c) => c,
        };
        if let Some(b) = server_bits {
            p.server_max_window_bits = b;
            resp.push(format!("server_max_window_bits={b}"));
        }
        match (offer.client_max_window_bits, cfg.client_max_window_bits) {
            (Some(Some(o)), c) => {
                let b = c.map_or(o, |c| o.min(c));
                p.client_max_window_bits = b;
                resp.push(format!("client_max_window_bits={b}"));
            }
            (Some(None), Some(c)) => {
                p.client_max_window_bits = c;
                resp.push(format!("client_max_window_bits={c}"));
            }
            // The client did not offer the parameter: we may not ask for a smaller window.
            (None, _) | (Some(None), None) => {}
        }
        return Some(Negotiated {
            params: p,
            response: resp.join("; "),
        });
    }
    None
}

/// Client side: the offer to send for `cfg`.
pub fn client_offer(cfg: &DeflateConfig) -> String {
    let mut s = vec![NAME.to_string()];
    if cfg.server_no_context_takeover {
        s.push("server_no_context_takeover".into());
    }
    if cfg.client_no_context_takeover {
        s.push("client_no_context_takeover".into());
    }
    if let Some(b) = cfg.server_max_window_bits {
        s.push(format!("server_max_window_bits={b}"));
    }
    match cfg.client_max_window_bits {
        Some(b) => s.push(format!("client_max_window_bits={b}")),
        None => s.push("client_max_window_bits".into()),
    }
    s.join("; ")
}

/// Client side: validates the server's `permessage-deflate` response against what `cfg`
/// offered (RFC 7692 §7.1) and returns the agreed parameters.
pub fn accept_response(
    ext: &Extension,
    cfg: &DeflateConfig,
) -> Result<DeflateParams, HandshakeError> {
    let fail = |m: String| HandshakeError {
        status: 0,
        kind: HandshakeErrorKind::Extension(m),
    };
    let r = parse_offer(ext, true).map_err(fail)?;
    let mut p = DeflateParams {
        server_no_context_takeover: r.server_no_context_takeover,
        client_no_context_takeover: r.client_no_context_takeover || cfg.client_no_context_takeover,
        ..DeflateParams::default()
    };
    if cfg.server_no_context_takeover && !r.server_no_context_takeover {
        return Err(fail(
            "server_no_context_takeover was requested but not accepted".into(),
        ));
    }
    if let Some(b) = r.server_max_window_bits {
        if cfg.server_max_window_bits.is_some_and(|o| b > o) {
            return Err(fail(format!(
                "server_max_window_bits={b} is larger than offered"
            )));
        }
        p.server_max_window_bits = b;
    } else if cfg.server_max_window_bits.is_some() {
        return Err(fail(
            "server_max_window_bits was requested but not accepted".into(),
        ));
    }
    if let Some(Some(b)) = r.client_max_window_bits {
        if cfg.client_max_window_bits.is_some_and(|o| b > o) {
            return Err(fail(format!(
                "client_max_window_bits={b} is larger than offered"
            )));
        }
        p.client_max_window_bits = b;
    } else if let Some(b) = cfg.client_max_window_bits {
        p.client_max_window_bits = b;
    }
    Ok(p)
}

/// zlib's default `memLevel` (1-9): how much memory the compressor spends on its match buffers.
pub const DEFAULT_MEM_LEVEL: u8 = 8;

/// Compresses messages for one direction of one connection.
///
/// The compression state (zlib's window, hash chains and buffers: about 200-370 KB, see
/// [`Deflater::state_size`]) is allocated on the first message that is compressed, not when the
/// deflater is made, so a connection that never sends a compressed message costs nothing here.
/// [`Deflater::release`] gives it back at once.
pub struct Deflater {
    c: Option<zlib_rs::Deflate>,
    config: zlib_rs::DeflateConfig,
    no_context_takeover: bool,
}

impl std::fmt::Debug for Deflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deflater")
            .field("no_context_takeover", &self.no_context_takeover)
            .field("allocated", &self.c.is_some())
            .finish()
    }
}

/// zlib-rs's hash table is 2^16 entries of 2 bytes whatever `memLevel` is (stock zlib sizes it
/// by `memLevel`); the other parts follow zlib's formula.
const DEFLATE_HASH_BYTES: usize = (1 << 16) * 2;

impl Deflater {
    /// A compressor limited to a window of 2^`window_bits` bytes, with zlib's default
    /// `memLevel`. zlib's smallest window is 512 bytes, so for 8 bits it emits no
    /// back-references at all (level 0, still valid DEFLATE).
    pub fn new(window_bits: u8, no_context_takeover: bool, level: u32) -> Self {
        Self::with_mem_level(window_bits, no_context_takeover, level, DEFAULT_MEM_LEVEL)
    }

    /// [`Deflater::new`] with zlib's `memLevel` (1-9, clamped): lower levels use smaller match
    /// buffers (less memory, slightly worse compression).
    pub fn with_mem_level(
        window_bits: u8,
        no_context_takeover: bool,
        level: u32,
        mem_level: u8,
    ) -> Self {
        let (bits, level) = if window_bits <= 8 {
            (9, 0)
        } else {
            (window_bits.min(15), level.min(9))
        };
        Self {
            c: None,
            config: zlib_rs::DeflateConfig {
                level: level as i32,
                // Negative: a raw DEFLATE stream (no zlib header), as RFC 7692 requires.
                window_bits: -i32::from(bits),
                mem_level: i32::from(mem_level.clamp(1, 9)),
                ..zlib_rs::DeflateConfig::default()
            },
            no_context_takeover,
        }
    }

    /// True while the compression state is allocated.
    pub fn is_allocated(&self) -> bool {
        self.c.is_some()
    }

    /// Bytes the compression state takes when allocated (zlib's formula: a window of twice
    /// 2^window_bits, 2-byte hash chains over the window, the hash table, and the pending and
    /// symbol buffers sized by `memLevel`), plus zlib-rs's bookkeeping.
    pub fn state_size(&self) -> usize {
        let w = 1usize << self.config.window_bits.unsigned_abs();
        let lit = 1usize << (self.config.mem_level + 6);
        2 * w + 2 * w + DEFLATE_HASH_BYTES + 4 * lit + 4 * lit + 1024
    }

    /// Bytes held on the heap now: [`Deflater::state_size`] while allocated, else 0.
    pub fn heap_size(&self) -> usize {
        if self.c.is_some() {
            self.state_size()
        } else {
            0
        }
    }

    /// Frees the compression state (allocated again by the next message). Always safe for a
    /// sender between messages: the next message then uses no back-references into earlier
    /// ones, which every receiver can inflate.
    pub fn release(&mut self) {
        if self.c.take().is_some() {
            crate::stats::deflater_freed();
        }
    }

    fn stream(&mut self) -> &mut zlib_rs::Deflate {
        let config = self.config;
        self.c.get_or_insert_with(|| {
            crate::stats::deflater_allocated();
            zlib_rs::Deflate::new_with_config(config)
        })
    }

    /// Compresses one whole message, appending the payload (without the tail) to `out`.
    pub fn compress(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.compress_fragment(data, true, out)
    }

    /// Compresses one piece of a message with a sync flush. On the last piece (`fin`) the
    /// `00 00 ff ff` tail is stripped and, without context takeover, the window is reset.
    pub fn compress_fragment(
        &mut self,
        data: &[u8],
        fin: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let start = out.len();
        let reset_after = fin && self.no_context_takeover;
        let c = self.stream();
        let mut input = data;
        loop {
            let at = out.len();
            let room = input.len() / 2 + 64;
            out.resize(at + room, 0);
            let (in0, out0) = (c.total_in(), c.total_out());
            let r = match out.get_mut(at..) {
                Some(dst) => c.compress(input, dst, zlib_rs::DeflateFlush::SyncFlush),
                None => Ok(zlib_rs::Status::BufError),
            };
            let used = (c.total_in() - in0) as usize;
            let produced = (c.total_out() - out0) as usize;
            out.truncate(at + produced);
            r.map_err(|e| EncodeError::Deflate(e.as_str().to_string()))?;
            input = input.get(used..).unwrap_or_default();
            // Done when all input is consumed and the flush left spare room in `out`.
            if input.is_empty() && produced < room {
                break;
            }
        }
        if fin {
            if out.len() >= start + 4 && out.ends_with(&TAIL) {
                out.truncate(out.len() - 4);
            } else if out.len() == start {
                // zlib emits nothing for a sync flush right after another one (an empty message
                // with context takeover). Send an empty stored block instead: `00`, which the
                // receiver completes to `00 00 00 ff ff` (RFC 7692 §7.2.3.6).
                out.push(0x00);
            }
            if reset_after {
                c.reset();
            }
        }
        Ok(())
    }
}

impl Drop for Deflater {
    fn drop(&mut self) {
        self.release();
    }
}

/// Decompresses messages for one direction of one connection.
///
/// The inflate state (a 32 KiB window and zlib-rs's tables, see [`Inflater::state_size`]) is
/// allocated by the first compressed message that arrives; [`Inflater::release`] frees it.
pub struct Inflater {
    d: Option<zlib_rs::Inflate>,
    window_bits: u8,
    no_context_takeover: bool,
}

impl std::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inflater")
            .field("no_context_takeover", &self.no_context_takeover)
            .field("allocated", &self.d.is_some())
            .finish()
    }
}

/// Output grows by at most this much at a time, so the limit is checked before memory is used.
const INFLATE_STEP: usize = 64 * 1024;

/// What zlib-rs allocates for an inflate stream whatever the window bits: a 32 KiB window
/// (+64 bytes of SIMD padding) and its state with the decoding tables (measured:
/// tests/memory.rs).
const INFLATE_STATE_BYTES: usize = (1 << 15) + 64 + 10 * 1024;

impl Inflater {
    /// A decompressor for a peer whose window is at most 2^`window_bits` bytes.
    pub fn new(window_bits: u8, no_context_takeover: bool) -> Self {
        Self {
            d: None,
            // A larger window than the peer's is always safe when inflating.
            window_bits: window_bits.clamp(9, 15),
            no_context_takeover,
        }
    }

    /// True while the inflate state is allocated.
    pub fn is_allocated(&self) -> bool {
        self.d.is_some()
    }

    /// Bytes the inflate state takes when allocated.
    pub fn state_size(&self) -> usize {
        INFLATE_STATE_BYTES
    }

    /// Bytes held on the heap now: [`Inflater::state_size`] while allocated, else 0.
    pub fn heap_size(&self) -> usize {
        if self.d.is_some() {
            INFLATE_STATE_BYTES
        } else {
            0
        }
    }

    /// Frees the inflate state. Only between messages, and only where the peer resets its
    /// context after each message (or the stream is over): with context takeover the next
    /// message may refer back into the window.
    pub fn release(&mut self) {
        if self.d.take().is_some() {
            crate::stats::inflater_freed();
        }
    }

    fn stream(&mut self) -> &mut zlib_rs::Inflate {
        let bits = self.window_bits;
        self.d.get_or_insert_with(|| {
            crate::stats::inflater_allocated();
            zlib_rs::Inflate::new(false, bits)
        })
    }

    /// Inflates the next piece of a compressed message, appending to `out`. Fails with
    /// `MessageTooBig` as soon as `out` would exceed `limit` bytes in total: zlib only ever
    /// writes into a slice of at most `limit + 1 - out.len()` bytes.
    pub fn inflate(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        limit: u64,
    ) -> Result<(), ProtocolErrorKind> {
        let limit_us = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut input = input;
        // Start small (small messages stay cheap), grow while output keeps coming.
        let mut step = input
            .len()
            .saturating_mul(4)
            .saturating_add(256)
            .min(INFLATE_STEP);
        loop {
            let start = out.len();
            let room = limit_us.saturating_sub(start).saturating_add(1);
            let n = step.min(room);
            out.resize(start.saturating_add(n), 0);
            let d = self.stream();
            let (in0, out0) = (d.total_in(), d.total_out());
            let status = match out.get_mut(start..) {
                Some(dst) => d.decompress(input, dst, zlib_rs::InflateFlush::SyncFlush),
                None => Ok(zlib_rs::Status::BufError),
            };
            let used = (d.total_in() - in0) as usize;
            let produced = (d.total_out() - out0) as usize;
            out.truncate(start + produced);
            input = input.get(used..).unwrap_or_default();
            self.after(status, out, limit)?;
            if produced < n && (input.is_empty() || (used == 0 && produced == 0)) {
                // zlib stopped with room to spare: it needs more input.
                return Ok(());
            }
            step = step.saturating_mul(2).min(INFLATE_STEP);
        }
    }

    fn after(
        &mut self,
        status: Result<zlib_rs::Status, zlib_rs::InflateError>,
        out: &[u8],
        limit: u64,
    ) -> Result<(), ProtocolErrorKind> {
        // The limit first: zlib may have written the byte that crosses it and then hit corrupt
        // bits in the same call, while a shorter read would have stopped after that byte. Checking
        // the length before the status gives the same verdict (1009) for any segmentation.
        if out.len() as u64 > limit {
            return Err(ProtocolErrorKind::MessageTooBig {
                len: out.len() as u64,
                max: limit,
            });
        }
        match status {
            Err(_) => return Err(ProtocolErrorKind::InvalidCompressedData),
            // A final block (BFINAL=1) ends the stream; later messages start a new one.
            Ok(zlib_rs::Status::StreamEnd) => self.reset(),
            Ok(_) => {}
        }
        Ok(())
    }

    /// Ends a message: inflates the re-appended `00 00 ff ff` tail. Without context takeover
    /// the state is freed: the next message starts from an empty window anyway, so an idle
    /// connection holds no inflate state (one allocation per compressed message instead).
    pub fn finish(&mut self, out: &mut Vec<u8>, limit: u64) -> Result<(), ProtocolErrorKind> {
        let r = self.inflate(&TAIL, out, limit);
        if self.no_context_takeover {
            self.release();
        } else if r.is_err() {
            self.reset();
        }
        r
    }

    /// Forgets any message in progress (after an error).
    pub fn reset(&mut self) {
        if let Some(d) = &mut self.d {
            d.reset(false);
        }
    }
}

impl Drop for Inflater {
    fn drop(&mut self) {
        self.release();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::handshake::parse_extensions;

    fn neg(offer: &str, cfg: DeflateConfig) -> Option<Negotiated> {
        negotiate(&parse_extensions(offer).unwrap(), &cfg)
    }

    #[test]
    fn rfc7692_hello_examples() {
        // §7.2.3.1: "Hello" compressed is c1 07 f2 48 cd c9 c9 07 00 (payload after the header).
        let mut d = Deflater::new(15, false, 6);
        let mut out = vec![];
        d.compress(b"Hello", &mut out).unwrap();
        assert_eq!(out, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
        // §7.2.3.2: a second "Hello" with context takeover is shorter.
        let mut out2 = vec![];
        d.compress(b"Hello", &mut out2).unwrap();
        assert_eq!(out2, [0xf2, 0x00, 0x11, 0x00, 0x00]);
        let mut i = Inflater::new(15, false);
        let mut m = vec![];
        i.inflate(&out, &mut m, 100).unwrap();
        i.finish(&mut m, 100).unwrap();
        assert_eq!(m, b"Hello");
        let mut m = vec![];
        i.inflate(&out2, &mut m, 100).unwrap();
        i.finish(&mut m, 100).unwrap();
        assert_eq!(m, b"Hello");
        // §7.2.3.3: a stored (uncompressed) block is also valid input.
        let mut m = vec![];
        let mut i = Inflater::new(15, false);
        i.inflate(
            &[
                0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
            ],
            &mut m,
            100,
        )
        .unwrap();
        i.finish(&mut m, 100).unwrap();
        assert_eq!(m, b"Hello");
    }

    #[test]
    fn no_context_takeover_repeats_output() {
        let mut d = Deflater::new(15, true, 6);
        let (mut a, mut b) = (vec![], vec![]);
        d.compress(b"Hello Hello Hello", &mut a).unwrap();
        d.compress(b"Hello Hello Hello", &mut b).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn empty_messages_in_a_row() {
        // Regression: a second empty message with context takeover made zlib emit nothing.
        for bits in [8, 15] {
            let mut d = Deflater::new(bits, false, 6);
            let mut i = Inflater::new(bits, false);
            for msg in [&b""[..], b"", b"", b"x", b"", b"x"] {
                let mut out = vec![];
                d.compress(msg, &mut out).unwrap();
                assert!(!out.is_empty());
                let mut m = vec![];
                i.inflate(&out, &mut m, 10).unwrap();
                i.finish(&mut m, 10).unwrap();
                assert_eq!(m, msg, "bits {bits}");
            }
        }
    }

    #[test]
    fn window_bits_8_and_9_roundtrip() {
        let data: Vec<u8> = (0..20000u32)
            .map(|i| (i % 251) as u8 ^ (i / 97) as u8)
            .collect();
        for bits in 8..=15 {
            let mut d = Deflater::new(bits, false, 6);
            let mut out = vec![];
            d.compress(&data, &mut out).unwrap();
            let mut i = Inflater::new(bits, false);
            let mut m = vec![];
            i.inflate(&out, &mut m, 1 << 20).unwrap();
            i.finish(&mut m, 1 << 20).unwrap();
            assert_eq!(m, data, "bits {bits}");
        }
    }

    #[test]
    fn bomb_fails_at_the_limit_without_allocating_it() {
        let zeros = vec![0u8; 16 << 20];
        let mut d = Deflater::new(15, false, 9);
        let mut bomb = vec![];
        d.compress(&zeros, &mut bomb).unwrap();
        assert!(bomb.len() < 100_000);
        let mut i = Inflater::new(15, false);
        let mut m = vec![];
        let e = i.inflate(&bomb, &mut m, 1 << 20).unwrap_err();
        assert!(matches!(e, ProtocolErrorKind::MessageTooBig { max, .. } if max == 1 << 20));
        assert!(
            m.capacity() <= 2 * ((1 << 20) + INFLATE_STEP),
            "capacity {}",
            m.capacity()
        );
    }

    #[test]
    fn corrupt_data_is_1007() {
        let mut i = Inflater::new(15, false);
        let e = i
            .inflate(&[0xff, 0xff, 0xff, 0xff], &mut vec![], 100)
            .unwrap_err();
        assert_eq!(e, ProtocolErrorKind::InvalidCompressedData);
        assert_eq!(e.close_code(), 1007);
    }

    #[test]
    fn negotiation() {
        let d = DeflateConfig::default();
        let n = neg("permessage-deflate", d).unwrap();
        assert_eq!(n.response, "permessage-deflate");
        assert_eq!(n.params, DeflateParams::default());
        let n = neg(
            "permessage-deflate; client_max_window_bits",
            DeflateConfig {
                client_max_window_bits: Some(10),
                ..d
            },
        )
        .unwrap();
        assert_eq!(n.response, "permessage-deflate; client_max_window_bits=10");
        let n = neg("permessage-deflate; client_max_window_bits", d).unwrap();
        assert_eq!(
            n.response, "permessage-deflate",
            "valueless offer needs no answer"
        );
        let n = neg(
            "permessage-deflate; server_max_window_bits=10; client_no_context_takeover",
            d,
        )
        .unwrap();
        assert_eq!(
            n.response,
            "permessage-deflate; client_no_context_takeover; server_max_window_bits=10"
        );
        assert_eq!(n.params.server_max_window_bits, 10);
        assert!(n.params.client_no_context_takeover);
        // Invalid offers are declined; the next acceptable one is taken.
        let n = neg("permessage-deflate; server_max_window_bits=16, permessage-deflate; foo, permessage-deflate; server_no_context_takeover", d).unwrap();
        assert_eq!(n.response, "permessage-deflate; server_no_context_takeover");
        assert!(neg("permessage-deflate; server_max_window_bits", d).is_none());
        assert!(neg("permessage-deflate; server_max_window_bits=08", d).is_none());
        assert!(neg(
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            d
        )
        .is_none());
        assert!(neg("permessage-deflate; client_no_context_takeover=1", d).is_none());
        assert!(neg("x-webkit-deflate-frame", d).is_none());
        // Server limits its own window when configured.
        let n = neg(
            "permessage-deflate",
            DeflateConfig {
                server_max_window_bits: Some(12),
                ..d
            },
        )
        .unwrap();
        assert_eq!(n.response, "permessage-deflate; server_max_window_bits=12");
    }

    #[test]
    fn client_side() {
        let cfg = DeflateConfig::default();
        assert_eq!(
            client_offer(&cfg),
            "permessage-deflate; client_max_window_bits"
        );
        let ok = |s: &str, c| accept_response(&parse_extensions(s).unwrap()[0], &c);
        assert_eq!(
            ok("permessage-deflate", cfg).unwrap(),
            DeflateParams::default()
        );
        let p = ok(
            "permessage-deflate; client_max_window_bits=9; server_no_context_takeover",
            cfg,
        )
        .unwrap();
        assert_eq!(
            (p.client_max_window_bits, p.server_no_context_takeover),
            (9, true)
        );
        assert!(
            ok("permessage-deflate; client_max_window_bits", cfg).is_err(),
            "response needs a value"
        );
        assert!(ok("permessage-deflate; bogus", cfg).is_err());
        let c10 = DeflateConfig {
            client_max_window_bits: Some(10),
            ..cfg
        };
        assert!(ok("permessage-deflate; client_max_window_bits=11", c10).is_err());
        let s10 = DeflateConfig {
            server_max_window_bits: Some(10),
            ..cfg
        };
        assert!(ok("permessage-deflate", s10).is_err());
        assert_eq!(
            ok("permessage-deflate; server_max_window_bits=9", s10)
                .unwrap()
                .server_max_window_bits,
            9
        );
    }
}
