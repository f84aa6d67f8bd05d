//! The streaming decoder: bytes in, events out.
//!
//! Feed it whatever the socket produced — half a header, a frame split over many reads, many
//! frames in one read (the "half packet / sticky packet" cases) — and it returns messages
//! (reassembled from fragments, decompressed, UTF-8 checked), pings, pongs and closes.
//!
//! Payloads are unmasked **in place** in the buffer you pass, and a message that arrived as one
//! unfragmented, uncompressed frame inside that buffer is returned as a range of it
//! ([`Payload::Input`]): no copy. Everything else (fragmented or compressed messages, frames
//! split across reads) is assembled in one growing buffer per message and handed over as
//! [`Payload::Owned`]; fragments never cost an allocation each.
//!
//! ```
//! use wsprism::{Decoder, DecoderConfig, Event, Role};
//! let mut dec = Decoder::new(DecoderConfig { role: Role::Server, ..Default::default() });
//! let mut bytes = *b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"; // RFC 6455 §5.7
//! let events = dec.decode_all(&mut bytes).unwrap();
//! match &events[0] {
//!     Event::Message { text: true, payload } => assert_eq!(payload.as_slice(&bytes), b"Hello"),
//!     e => panic!("{e:?}"),
//! }
//! ```

use crate::close::parse_close_payload;
use crate::deflate::{DeflateParams, Inflater};
use crate::error::{ProtocolError, ProtocolErrorKind};
use crate::frame::{
    check_header, parse_header, FrameHeader, HeaderContext, OpCode, Parsed, Role, MAX_HEADER_LEN,
};
use crate::mask::apply_mask;
use crate::utf8::{is_valid_utf8, Utf8Validator};
use std::ops::Range;

/// Default [`DecoderConfig::max_frame_size`]: 16 MiB.
pub const DEFAULT_MAX_FRAME_SIZE: u64 = 16 << 20;
/// Default [`DecoderConfig::max_message_size`]: 64 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 64 << 20;

/// Decoder settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoderConfig {
    /// Which side we are. A server expects masked frames, a client unmasked ones.
    pub role: Role,
    /// Largest accepted frame payload (declared length), checked on the header. Default 16 MiB.
    pub max_frame_size: u64,
    /// Largest accepted message (after reassembly and decompression). Default 64 MiB.
    pub max_message_size: u64,
    /// permessage-deflate parameters, if negotiated.
    pub deflate: Option<DeflateParams>,
    /// Most data frames one message may arrive in (the first and its continuations, empty ones
    /// included); 0 for no limit (the default). Over it: close 1008. Bounds the work a peer can
    /// make with endless tiny fragments (`ws`'s `maxFragments`).
    pub max_fragments: u32,
    /// Most input chunks (calls with new input, or chunks a binding holds for the decoder: see
    /// [`Decoder::hold_chunk`]) that may end inside one incomplete frame; 0 for no limit (the
    /// default). Over it: close 1008. Bounds what a peer that dribbles a frame a few bytes at a
    /// time costs in per-chunk bookkeeping (`ws`'s `maxBufferedChunks`).
    pub max_buffered_chunks: u32,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        Self {
            role: Role::Server,
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            deflate: None,
            max_fragments: 0,
            max_buffered_chunks: 0,
        }
    }
}

/// Where an event's payload is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// A range of the input buffer of the call that returned the event (already unmasked).
    Input(Range<usize>),
    /// A buffer the decoder assembled (fragmented, compressed or split messages).
    Owned(Vec<u8>),
}

impl Payload {
    /// The payload bytes; `input` is the buffer given to the call that produced the event.
    pub fn as_slice<'a>(&'a self, input: &'a [u8]) -> &'a [u8] {
        match self {
            Payload::Input(r) => input.get(r.clone()).unwrap_or_default(),
            Payload::Owned(v) => v,
        }
    }

    /// Payload length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Payload::Input(r) => r.len(),
            Payload::Owned(v) => v.len(),
        }
    }

    /// True for an empty payload.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the peer sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A complete data message (text is valid UTF-8).
    Message {
        /// True for a text message, false for binary.
        text: bool,
        /// The message bytes.
        payload: Payload,
    },
    /// A ping with its application data.
    Ping(Payload),
    /// A pong with its application data.
    Pong(Payload),
    /// A close frame. `code` is `None` for an empty payload ("no status", 1005 locally); the
    /// reason is `payload[2..]`, valid UTF-8.
    Close {
        /// The status code, if any.
        code: Option<u16>,
        /// The whole close payload (code + reason).
        payload: Payload,
    },
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    h: FrameHeader,
    /// Stream offset of the frame's first byte.
    start: u64,
    received: u64,
}

#[derive(Debug, Clone, Copy)]
struct Msg {
    text: bool,
    compressed: bool,
    /// Payload bytes received on the wire so far.
    wire: u64,
    /// Data frames of the message read so far (counting the one being read).
    frames: u32,
}

/// A streaming WebSocket frame decoder for one direction of one connection. No I/O.
#[derive(Debug)]
pub struct Decoder {
    cfg: DecoderConfig,
    /// Stream offset of the next unread byte.
    offset: u64,
    hdr: [u8; MAX_HEADER_LEN],
    hdr_len: usize,
    frame: Option<Frame>,
    msg: Option<Msg>,
    buf: Vec<u8>,
    ctrl: Vec<u8>,
    utf8: Utf8Validator,
    /// Stream offset where the UTF-8 sequence held by `utf8` began (it may span frames).
    utf8_pending_at: u64,
    inflater: Option<Inflater>,
    closed: bool,
    failed: Option<ProtocolError>,
    /// Input chunks that ended inside the frame starting at `chunks_frame` (see
    /// [`DecoderConfig::max_buffered_chunks`]).
    chunks: u32,
    chunks_frame: u64,
}

impl Decoder {
    /// A decoder at the start of a stream.
    pub fn new(cfg: DecoderConfig) -> Self {
        crate::stats::decoder_created();
        let inflater = cfg.deflate.map(|p| match cfg.role {
            Role::Server => Inflater::new(p.client_max_window_bits, p.client_no_context_takeover),
            Role::Client => Inflater::new(p.server_max_window_bits, p.server_no_context_takeover),
        });
        Self {
            cfg,
            offset: 0,
            hdr: [0; MAX_HEADER_LEN],
            hdr_len: 0,
            frame: None,
            msg: None,
            buf: Vec::new(),
            ctrl: Vec::new(),
            utf8: Utf8Validator::new(),
            utf8_pending_at: 0,
            inflater,
            closed: false,
            failed: None,
            chunks: 0,
            chunks_frame: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &DecoderConfig {
        &self.cfg
    }

    /// Bytes of the stream consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// True once a close frame was decoded.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The error the decoder stopped at, if any. A failed decoder keeps returning it.
    pub fn error(&self) -> Option<&ProtocolError> {
        self.failed.as_ref()
    }

    /// True between frames: no partial header or payload is held (a fragmented message may
    /// still be in progress; see [`Decoder::in_message`]).
    pub fn at_frame_boundary(&self) -> bool {
        self.hdr_len == 0 && self.frame.is_none()
    }

    /// True while a fragmented data message is in progress (its first frame arrived without FIN).
    pub fn in_message(&self) -> bool {
        self.msg.is_some()
    }

    /// True if the decoder holds a partial frame or a partial message (more bytes are needed).
    pub fn is_partial(&self) -> bool {
        self.hdr_len != 0 || self.frame.is_some() || self.msg.is_some()
    }

    /// What the decoder is waiting for, in words (for teaching and debugging).
    pub fn waiting_for(&self) -> String {
        match (&self.frame, self.hdr_len) {
            (Some(f), _) => format!(
                "{} more payload bytes of a {}-byte {} frame",
                f.h.payload_len - f.received,
                f.h.payload_len,
                crate::frame::opcode_name(f.h.opcode)
            ),
            (None, 0) if self.msg.is_some() => "the next fragment of a message".into(),
            (None, 0) => "the next frame header".into(),
            (None, n) => match parse_header(self.hdr.get(..n).unwrap_or_default()) {
                Parsed::NeedMore(m) => format!("{m} more header bytes ({n} received)"),
                Parsed::Complete { .. } => "the frame payload".into(),
            },
        }
    }

    /// Bytes held in reassembly buffers (bounded by the configured limits).
    pub fn buffered(&self) -> usize {
        self.buf.len() + self.ctrl.len() + self.hdr_len
    }

    /// Bytes this decoder holds on the heap now: reassembly buffers (by capacity) and the
    /// inflate state while it is allocated. For accounting (e.g. telling a garbage collector
    /// what a wrapper object costs); the struct itself is `size_of::<Decoder>()`.
    pub fn heap_size(&self) -> usize {
        self.buf.capacity()
            + self.ctrl.capacity()
            + self.inflater.as_ref().map_or(0, Inflater::heap_size)
    }

    /// True while an inflate state is allocated (permessage-deflate was negotiated and a
    /// compressed message has arrived, and the stream is not over).
    pub fn has_inflate_state(&self) -> bool {
        self.inflater.as_ref().is_some_and(Inflater::is_allocated)
    }

    /// Frees everything the decoder holds but its settings and counters: buffers and the
    /// inflate state. Done by the decoder itself once the stream is over (a close frame or
    /// an error: nothing more is decoded); for a connection that ends otherwise (reset,
    /// timeout), call this or drop the decoder.
    pub fn release(&mut self) {
        self.buf = Vec::new();
        self.ctrl = Vec::new();
        self.frame = None;
        self.msg = None;
        if let Some(i) = &mut self.inflater {
            i.release();
        }
    }

    /// Decodes every event in `input`, unmasking it in place. Payload ranges refer to `input`.
    pub fn decode_all(&mut self, input: &mut [u8]) -> Result<Vec<Event>, ProtocolError> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(ev) = self.next_event(input, &mut pos)? {
            out.push(ev);
        }
        Ok(out)
    }

    /// Calls `f` for every event in `input` with the payload as a slice; stops at the first
    /// protocol error and returns it.
    pub fn feed(
        &mut self,
        input: &mut [u8],
        mut f: impl FnMut(EventRef<'_>),
    ) -> Result<(), ProtocolError> {
        let mut pos = 0;
        while let Some(ev) = self.next_event(input, &mut pos)? {
            let input: &[u8] = input;
            f(match &ev {
                Event::Message { text, payload } => EventRef::Message {
                    text: *text,
                    data: payload.as_slice(input),
                },
                Event::Ping(p) => EventRef::Ping(p.as_slice(input)),
                Event::Pong(p) => EventRef::Pong(p.as_slice(input)),
                Event::Close { code, payload } => EventRef::Close {
                    code: *code,
                    reason: std::str::from_utf8(
                        payload.as_slice(input).get(2..).unwrap_or_default(),
                    )
                    .unwrap_or_default(),
                },
            });
        }
        Ok(())
    }

    /// Decodes the next event from `input[*pos..]`, advancing `*pos` past the bytes consumed.
    /// Returns `Ok(None)` when `input` is exhausted (everything in it has been consumed and any
    /// partial frame is held by the decoder). Call repeatedly with the same `input` and `pos`.
    pub fn next_event(
        &mut self,
        input: &mut [u8],
        pos: &mut usize,
    ) -> Result<Option<Event>, ProtocolError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = match self.step(input, pos) {
            // The input is used up inside a frame: one more chunk held for it.
            Ok(None) if !self.at_frame_boundary() => {
                let start = self
                    .frame
                    .map_or(self.offset - self.hdr_len as u64, |f| f.start);
                self.count_chunk(start).map(|()| None)
            }
            r => r,
        };
        result.map_err(|e| {
            // Consume the rest: a failed stream is over.
            self.offset += input.len().saturating_sub(*pos) as u64;
            *pos = input.len();
            self.fail(e)
        })
    }

    /// Stops the stream at `e`: frees what it holds and keeps returning `e`.
    fn fail(&mut self, e: ProtocolError) -> ProtocolError {
        self.release();
        self.failed = Some(e.clone());
        e
    }

    /// Counts a chunk that ended inside the frame starting at stream offset `start`.
    fn count_chunk(&mut self, start: u64) -> Result<(), ProtocolError> {
        if start != self.chunks_frame {
            self.chunks_frame = start;
            self.chunks = 0;
        }
        self.chunks = self.chunks.saturating_add(1);
        let max = self.cfg.max_buffered_chunks;
        if max != 0 && self.chunks > max {
            return Err(self.err(ProtocolErrorKind::TooManyBufferedChunks { max }, start));
        }
        Ok(())
    }

    /// For a binding that holds the pieces of the next frame itself instead of pushing them
    /// (see [`Decoder::lookahead`]): counts one input chunk that ended inside that frame, which
    /// starts at [`Decoder::offset`], toward [`DecoderConfig::max_buffered_chunks`] as if the
    /// decoder held it. Past the limit the stream fails with
    /// [`ProtocolErrorKind::TooManyBufferedChunks`] (and later calls return it too).
    ///
    /// ```
    /// use wsprism::{Decoder, DecoderConfig, Role};
    /// let mut dec = Decoder::new(DecoderConfig {
    ///     role: Role::Client,
    ///     max_buffered_chunks: 2,
    ///     ..Default::default()
    /// });
    /// assert!(dec.hold_chunk().is_ok());
    /// assert!(dec.hold_chunk().is_ok());
    /// assert_eq!(dec.hold_chunk().unwrap_err().close_code().0, 1008);
    /// assert!(dec.next_event(&mut [0x81, 0x00], &mut 0).is_err());
    /// ```
    pub fn hold_chunk(&mut self) -> Result<(), ProtocolError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let start = self.offset - self.hdr_len as u64;
        self.count_chunk(start).map_err(|e| self.fail(e))
    }

    fn err(&self, kind: ProtocolErrorKind, offset: u64) -> ProtocolError {
        ProtocolError::new(kind, offset)
    }

    /// The common case in one pass: a whole, small (7-bit length), unfragmented, uncompressed
    /// text or binary frame with the mask bit the role requires, at a frame boundary. Returns
    /// `None` for anything else (the general path then applies every rule). For such a frame
    /// the general checks can only fail on the limits, which are checked here too.
    #[inline(always)]
    fn fast_small_frame(
        &mut self,
        input: &mut [u8],
        pos: &mut usize,
    ) -> Option<Result<Event, ProtocolError>> {
        if self.hdr_len != 0 || self.frame.is_some() || self.msg.is_some() || self.closed {
            return None;
        }
        let rest = input.get_mut(*pos..)?;
        let &[b0, b1, ..] = &*rest else { return None };
        let text = match b0 {
            0x81 => true,
            0x82 => false,
            _ => return None,
        };
        let len = usize::from(b1 & 0x7f);
        if len >= 126
            || len as u64 > self.cfg.max_frame_size
            || len as u64 > self.cfg.max_message_size
        {
            return None;
        }
        let masked = b1 & 0x80 != 0;
        let hlen = match (self.cfg.role, masked) {
            (Role::Server, true) => 6,
            (Role::Client, false) => 2,
            _ => return None,
        };
        let (head, tail) = rest.split_at_mut_checked(hlen)?;
        let data = tail.get_mut(..len)?;
        if let Some(&[_, _, k0, k1, k2, k3]) = head.first_chunk::<6>().filter(|_| masked) {
            apply_mask(data, [k0, k1, k2, k3], 0);
        }
        let start = *pos + hlen;
        let payload_offset = self.offset + hlen as u64;
        *pos = start + len;
        self.offset = payload_offset + len as u64;
        if text && !is_valid_utf8(data) {
            let at = simdutf8::compat::from_utf8(data)
                .err()
                .map_or(0, |e| e.valid_up_to());
            return Some(Err(
                self.err(ProtocolErrorKind::InvalidUtf8, payload_offset + at as u64)
            ));
        }
        Some(Ok(Event::Message {
            text,
            payload: Payload::Input(start..start + len),
        }))
    }

    #[inline]
    fn step(&mut self, input: &mut [u8], pos: &mut usize) -> Result<Option<Event>, ProtocolError> {
        if let Some(r) = self.fast_small_frame(input, pos) {
            return r.map(Some);
        }
        loop {
            let Some(fr) = self.frame else {
                if !self.read_header(input, pos)? {
                    return Ok(None);
                }
                continue;
            };
            let avail = input.len().saturating_sub(*pos);
            let remaining = fr.h.payload_len - fr.received;

            // Fast path: the whole payload is here and nothing was buffered for this frame.
            if fr.received == 0 && remaining <= avail as u64 {
                let len = remaining as usize;
                let range = *pos..*pos + len;
                let Some(data) = input.get_mut(range.clone()) else {
                    return Ok(None);
                };
                if let Some(k) = fr.h.mask {
                    apply_mask(data, k, 0);
                }
                let payload_start = self.offset;
                *pos += len;
                self.offset += len as u64;
                self.frame = None;
                let data: &[u8] = data;
                if fr.h.is_control() {
                    let code = self.check_control(fr, data)?;
                    return Ok(Some(control_event(
                        fr.h.opcode,
                        code,
                        Payload::Input(range),
                    )));
                }
                let single = fr.h.fin && fr.h.opcode != 0;
                match self.msg {
                    Some(m) if single && !m.compressed => {
                        self.msg = None;
                        if m.text && !is_valid_utf8(data) {
                            let at = simdutf8::compat::from_utf8(data)
                                .err()
                                .map_or(0, |e| e.valid_up_to());
                            return Err(
                                self.err(ProtocolErrorKind::InvalidUtf8, payload_start + at as u64)
                            );
                        }
                        return Ok(Some(Event::Message {
                            text: m.text,
                            payload: Payload::Input(range),
                        }));
                    }
                    _ => {
                        self.absorb(data, payload_start, fr.start)?;
                        if fr.h.fin {
                            return self.finish_message(fr).map(Some);
                        }
                        continue;
                    }
                }
            }

            // Slow path: take what is here, unmask it at its offset in the payload, buffer it.
            let n = (remaining.min(avail as u64)) as usize;
            let Some(piece) = input.get_mut(*pos..*pos + n) else {
                return Ok(None);
            };
            if let Some(k) = fr.h.mask {
                apply_mask(piece, k, (fr.received % 4) as usize);
            }
            let piece_offset = self.offset;
            *pos += n;
            self.offset += n as u64;
            let received = fr.received + n as u64;
            let done = received == fr.h.payload_len;
            if let Some(f) = &mut self.frame {
                f.received = received;
            }
            let piece: &[u8] = piece;
            if fr.h.is_control() {
                self.ctrl.extend_from_slice(piece);
                if !done {
                    return Ok(None);
                }
                self.frame = None;
                let data = std::mem::take(&mut self.ctrl);
                let code = self.check_control(fr, &data)?;
                return Ok(Some(control_event(fr.h.opcode, code, Payload::Owned(data))));
            }
            self.absorb(piece, piece_offset, fr.start)?;
            if !done {
                return Ok(None);
            }
            self.frame = None;
            if fr.h.fin {
                return self.finish_message(fr).map(Some);
            }
        }
    }

    /// Reads and checks the next header. Returns false when `input` ran out first (the bytes
    /// seen so far are kept).
    #[inline]
    fn read_header(&mut self, input: &[u8], pos: &mut usize) -> Result<bool, ProtocolError> {
        let rest = input.get(*pos..).unwrap_or_default();
        if rest.is_empty() {
            return Ok(false);
        }
        let start = self.offset - self.hdr_len as u64;
        let (h, used) = if self.hdr_len == 0 {
            match parse_header(rest) {
                Parsed::Complete { value, len } => (value, len),
                Parsed::NeedMore(_) => {
                    self.stash(rest);
                    *pos = input.len();
                    self.offset += rest.len() as u64;
                    return Ok(false);
                }
            }
        } else {
            let mut used = 0;
            loop {
                match parse_header(self.hdr.get(..self.hdr_len).unwrap_or_default()) {
                    Parsed::Complete { value, .. } => break (value, used),
                    Parsed::NeedMore(n) => {
                        let take = n.min(rest.len() - used);
                        if take == 0 {
                            *pos += used;
                            self.offset += used as u64;
                            return Ok(false);
                        }
                        self.stash(rest.get(used..used + take).unwrap_or_default());
                        used += take;
                    }
                }
            }
        };
        *pos += used;
        self.offset += used as u64;
        self.hdr_len = 0;
        self.start_frame(h, start)?;
        Ok(true)
    }

    fn stash(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if let Some(slot) = self.hdr.get_mut(self.hdr_len) {
                *slot = b;
                self.hdr_len += 1;
            }
        }
    }

    fn start_frame(&mut self, h: FrameHeader, start: u64) -> Result<(), ProtocolError> {
        let msg = self
            .admit(&h, self.closed, self.msg)
            .map_err(|k| self.err(k, start))?;
        if let Some(OpCode::Text | OpCode::Binary) = h.opcode() {
            self.utf8.reset();
            self.buf.clear();
        }
        self.msg = msg;
        self.frame = Some(Frame {
            h,
            start,
            received: 0,
        });
        Ok(())
    }

    /// The rules a header meets at a frame boundary, with `msg` in progress and `closed` after
    /// a close frame: the first one it breaks, or the message state once it is read. The one
    /// judgement behind both [`Decoder::next_event`] and [`Decoder::lookahead`].
    fn admit(
        &self,
        h: &FrameHeader,
        closed: bool,
        msg: Option<Msg>,
    ) -> Result<Option<Msg>, ProtocolErrorKind> {
        let cx = HeaderContext {
            role: self.cfg.role,
            rsv1_allowed: self.inflater.is_some(),
            in_message: msg.is_some(),
            max_frame_size: self.cfg.max_frame_size,
        };
        let mut first = None;
        check_header(h, &cx, |k| {
            first.get_or_insert(k);
        });
        if let Some(k) = first {
            return Err(k);
        }
        if closed {
            return Err(ProtocolErrorKind::DataAfterClose);
        }
        let msg = msg_after_header(h, msg);
        let max = self.cfg.max_fragments;
        if let Some(m) = msg.filter(|m| !h.is_control() && max != 0 && m.frames > max) {
            debug_assert!(m.frames > 1);
            return Err(ProtocolErrorKind::TooManyFragments { max });
        }
        if let Some(m) = msg.filter(|m| !h.is_control() && !m.compressed) {
            if m.wire > self.cfg.max_message_size {
                let (len, max) = (m.wire, self.cfg.max_message_size);
                return Err(ProtocolErrorKind::MessageTooBig { len, max });
            }
        }
        Ok(msg)
    }

    /// Looks ahead at `input`, the bytes the next call will be given, without consuming them:
    /// where the first frame that `input` does not hold whole starts, how many bytes complete
    /// it, and whether the decoder will accept its header when it gets there (every rule of
    /// the header and of the decoder's state at that point: fragmentation, RSV bits, masking,
    /// sizes, data after a close; the whole frames before it are assumed accepted — the
    /// decoder judges them when it reads them).
    ///
    /// For a binding that joins the pieces of a large frame itself (one copy) and pushes it
    /// whole, so that the decoder unmasks it and hands it over in place instead of assembling
    /// it. Costs one header parse per frame in `input`.
    ///
    /// ```
    /// use wsprism::decoder::Lookahead;
    /// use wsprism::{Decoder, DecoderConfig, Role};
    /// let dec = Decoder::new(DecoderConfig { role: Role::Client, ..Default::default() });
    /// // A whole 1-byte frame, then the first 3 of the 4 + 300 bytes of a binary frame.
    /// let input = [0x81, 0x01, b'a', 0x82, 0x7e, 0x01];
    /// assert_eq!(dec.lookahead(&input), Lookahead::PartialHeader { at: 3 });
    /// let input = [0x81, 0x01, b'a', 0x82, 0x7e, 0x01, 0x2c, 0xff];
    /// assert_eq!(
    ///     dec.lookahead(&input),
    ///     Lookahead::Incomplete { at: 3, len: 304, payload_len: 300, acceptable: true }
    /// );
    /// ```
    #[inline]
    pub fn lookahead(&self, input: &[u8]) -> Lookahead {
        if self.failed.is_some() || self.hdr_len != 0 {
            return Lookahead::Unknown;
        }
        let (mut closed, mut msg) = (self.closed, self.msg);
        let mut at = 0usize;
        if let Some(f) = &self.frame {
            let remaining = f.h.payload_len - f.received;
            match usize::try_from(remaining) {
                Ok(n) if n <= input.len() => at = n,
                _ => {
                    return Lookahead::InFrame {
                        remaining: remaining - input.len() as u64,
                    }
                }
            }
            (closed, msg) = state_after_frame(&f.h, closed, msg);
        }
        while let Some(rest) = input.get(at..).filter(|r| !r.is_empty()) {
            let Parsed::Complete { value: h, len: hl } = parse_header(rest) else {
                return Lookahead::PartialHeader { at };
            };
            // `hl <= rest.len()`: the header is complete. No sum that could overflow.
            let room = rest.len().saturating_sub(hl);
            if h.payload_len > room as u64 {
                return Lookahead::Incomplete {
                    at,
                    len: (hl as u64).saturating_add(h.payload_len),
                    payload_len: h.payload_len,
                    acceptable: self.admit(&h, closed, msg).is_ok(),
                };
            }
            // What `state_after_frame(h, closed, msg_after_header(h, msg))` gives, with the
            // common case (a final data frame, no message in progress) cheapest: this loop
            // runs once per frame.
            if !h.is_control() {
                if !h.fin {
                    msg = msg_after_header(&h, msg);
                } else if msg.is_some() {
                    msg = None;
                }
            } else if h.opcode == OpCode::Close.as_u8() {
                closed = true;
            }
            at += hl + h.payload_len as usize;
        }
        Lookahead::Boundary
    }

    /// Adds a piece of a data frame's (unmasked) payload to the message in progress.
    /// `piece_offset` is the stream offset of `piece[0]`; `frame_start` that of its frame
    /// (errors inside compressed data are reported there, as their wire position is unknowable).
    fn absorb(
        &mut self,
        piece: &[u8],
        piece_offset: u64,
        frame_start: u64,
    ) -> Result<(), ProtocolError> {
        let Some(m) = self.msg else { return Ok(()) };
        if m.compressed {
            let before = self.buf.len();
            let inflated = match &mut self.inflater {
                Some(inf) => inf.inflate(piece, &mut self.buf, self.cfg.max_message_size),
                None => Ok(()),
            };
            // Check the text produced so far *before* reporting an inflate error, so the error
            // is the one earliest in the message whatever the read boundaries were.
            if m.text {
                let new = self.buf.get(before..).unwrap_or_default();
                self.utf8
                    .feed(new)
                    .map_err(|_| ProtocolError::new(ProtocolErrorKind::InvalidUtf8, frame_start))?;
            }
            inflated.map_err(|k| ProtocolError::new(k, frame_start))?;
        } else {
            if m.text {
                let was_pending = self.utf8.pending_len();
                match self.utf8.feed(piece) {
                    Ok(()) => {
                        let now = self.utf8.pending_len();
                        // A new unfinished sequence at the end of this piece (not the old one
                        // still growing): remember where it began.
                        if now > 0 && !(was_pending > 0 && now == was_pending + piece.len()) {
                            self.utf8_pending_at = piece_offset + (piece.len() - now) as u64;
                        }
                    }
                    Err(e) => {
                        let at = if e.carried > 0 {
                            self.utf8_pending_at
                        } else {
                            piece_offset + e.valid_up_to as u64
                        };
                        return Err(ProtocolError::new(ProtocolErrorKind::InvalidUtf8, at));
                    }
                }
            }
            self.buf.extend_from_slice(piece);
        }
        Ok(())
    }

    fn finish_message(&mut self, fr: Frame) -> Result<Event, ProtocolError> {
        let Some(m) = self.msg.take() else {
            return Err(self.err(ProtocolErrorKind::UnexpectedContinuation, fr.start));
        };
        if m.compressed {
            let before = self.buf.len();
            if let Some(inf) = &mut self.inflater {
                inf.finish(&mut self.buf, self.cfg.max_message_size)
                    .map_err(|k| ProtocolError::new(k, fr.start))?;
            }
            if m.text {
                let new = self.buf.get(before..).unwrap_or_default();
                self.utf8
                    .feed(new)
                    .map_err(|_| ProtocolError::new(ProtocolErrorKind::InvalidUtf8, fr.start))?;
            }
        }
        if m.text {
            // Point at the start of the unfinished sequence (for compressed text, the frame).
            self.utf8.finish().map_err(|_| {
                let at = if m.compressed {
                    fr.start
                } else {
                    self.utf8_pending_at
                };
                ProtocolError::new(ProtocolErrorKind::InvalidUtf8, at)
            })?;
        }
        Ok(Event::Message {
            text: m.text,
            payload: Payload::Owned(std::mem::take(&mut self.buf)),
        })
    }

    /// Validates a complete control frame's payload; for a close, returns its code.
    fn check_control(&mut self, fr: Frame, data: &[u8]) -> Result<Option<u16>, ProtocolError> {
        if fr.h.opcode != OpCode::Close.as_u8() {
            return Ok(None);
        }
        let body = parse_close_payload(data)
            .map_err(|k| ProtocolError::new(k, fr.start + fr.h.len() as u64))?;
        self.closed = true;
        // Nothing is decoded after a close frame (RFC 6455 §5.5.1): the inflate state goes now.
        if let Some(i) = &mut self.inflater {
            i.release();
        }
        Ok(body.code)
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        crate::stats::decoder_dropped();
    }
}

/// The message state once `h` (assumed valid) is read: a text or binary header starts a
/// message, a data frame adds its length to the message's wire size.
fn msg_after_header(h: &FrameHeader, msg: Option<Msg>) -> Option<Msg> {
    let mut msg = match h.opcode() {
        Some(OpCode::Text | OpCode::Binary) => Some(Msg {
            text: h.opcode == OpCode::Text.as_u8(),
            compressed: h.rsv1,
            wire: 0,
            frames: 0,
        }),
        _ => msg,
    };
    if let Some(m) = msg.as_mut().filter(|_| !h.is_control()) {
        m.wire = m.wire.saturating_add(h.payload_len);
        m.frames = m.frames.saturating_add(1);
    }
    msg
}

/// `(closed, msg)` once the frame of `h` (assumed valid, its header already read into `msg`)
/// has been read whole: a final data frame ends its message, a close frame the stream.
fn state_after_frame(h: &FrameHeader, closed: bool, msg: Option<Msg>) -> (bool, Option<Msg>) {
    if h.is_control() {
        (closed || h.opcode == OpCode::Close.as_u8(), msg)
    } else if h.fin {
        (closed, None)
    } else {
        (closed, msg)
    }
}

/// What [`Decoder::lookahead`] sees in bytes not yet pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookahead {
    /// `input` ends at a frame boundary: it holds the rest of the frame the decoder is in the
    /// middle of, if any, and whole frames (or nothing).
    Boundary,
    /// `input` ends inside the frame the decoder is in the middle of; `remaining` more bytes
    /// complete it.
    InFrame {
        /// Bytes after `input` that complete the frame.
        remaining: u64,
    },
    /// `input[at..]` is the start of a frame header, too short to say how long the frame is.
    PartialHeader {
        /// Where the header starts in `input`.
        at: usize,
    },
    /// `input[at..]` is the start of a frame that `input` does not hold whole.
    Incomplete {
        /// Where the frame starts in `input`.
        at: usize,
        /// Bytes of the whole frame, header included (saturated at `u64::MAX`).
        len: u64,
        /// Bytes of its payload, as its header states.
        payload_len: u64,
        /// The decoder accepts this header when it reaches it (if it accepts the frames
        /// before it); if not, it fails there.
        acceptable: bool,
    },
    /// The decoder cannot tell: it holds part of a frame header, or has failed.
    Unknown,
}

fn control_event(opcode: u8, code: Option<u16>, payload: Payload) -> Event {
    match OpCode::from_u8(opcode) {
        Some(OpCode::Ping) => Event::Ping(payload),
        Some(OpCode::Pong) => Event::Pong(payload),
        _ => Event::Close { code, payload },
    }
}

/// An event with its payload borrowed, for [`Decoder::feed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRef<'a> {
    /// A data message.
    Message {
        /// Text or binary.
        text: bool,
        /// The bytes (valid UTF-8 if `text`).
        data: &'a [u8],
    },
    /// A ping.
    Ping(&'a [u8]),
    /// A pong.
    Pong(&'a [u8]),
    /// A close: code (`None`: no status) and reason.
    Close {
        /// Status code.
        code: Option<u16>,
        /// Reason text.
        reason: &'a str,
    },
}
