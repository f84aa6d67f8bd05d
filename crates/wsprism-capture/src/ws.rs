//! From reassembled TCP byte streams to WebSocket connections: upgrade detection (any port),
//! the handshake, resynchronisation on mid-stream captures, and per-frame decoding with the
//! engine's [`Decoder`].
//!
//! Every protocol rule is the engine's: frame headers are read with [`parse_header`] and judged
//! with [`check_header`] (resynchronisation) or by the [`Decoder`] itself (decoding); the
//! handshake with [`wsprism::handshake`] and [`wsprism::deflate`].

use crate::report::{
    ConnectionError, Direction, Frame, Handshake, Hex, HttpRequest, HttpResponse, MaskKey, Message,
    MessageKind, TcpClose, TcpReport,
};
use crate::tcp::{Chunk, Reassembler};
use crate::{CaptureEvent, CaptureOptions, ConnectionInfo};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::ops::Range;
use wsprism::decoder::Event;
use wsprism::deflate::{self, DeflateConfig};
use wsprism::frame::{check_header, opcode_name, parse_header, HeaderContext, MAX_HEADER_LEN};
use wsprism::handshake::{self, Request, Response, DEFAULT_MAX_HEAD_SIZE};
use wsprism::{apply_mask, Decoder, DecoderConfig, DeflateParams, FrameHeader, Parsed, Role};

/// Bytes a direction may hold while its protocol is being detected or resynchronised.
pub const DETECT_CAP: usize = 64 * 1024;

/// Bytes (both sides together) of a flow captured mid-stream that are searched for frames
/// before it is declared not WebSocket.
const RESYNC_WINDOW: usize = 32 * 1024;

/// Frames in a row (well formed, and accepted by the decoder) that make a resynchronisation
/// point credible when nothing is known about the connection...
const RESYNC_FRAMES: usize = 5;
/// ...and when the other direction already showed which side masks.
const RESYNC_FRAMES_KNOWN: usize = 3;

/// Where events go: a queue (the pull API), straight to a callback (the push API), or (frames
/// and messages as borrowed views, nothing allocated per record) the capture index.
pub(crate) trait Emit {
    /// Takes one event.
    fn push_back(&mut self, ev: CaptureEvent);

    /// Takes one frame record (by default as an owned [`CaptureEvent::Frame`]).
    fn frame(&mut self, conn: u64, f: &FrameView<'_>) {
        self.push_back(CaptureEvent::Frame {
            conn,
            frame: Box::new(f.owned()),
        });
    }

    /// Takes one message record (by default as an owned [`CaptureEvent::Message`]).
    fn message(&mut self, conn: u64, m: &MessageView<'_>) {
        self.push_back(CaptureEvent::Message {
            conn,
            message: Box::new(m.owned()),
        });
    }
}

/// A frame record with its bytes borrowed: what [`Frame`] holds, before it is built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameView<'a> {
    pub index: u64,
    pub direction: Direction,
    pub time: f64,
    pub stream_offset: u64,
    pub fin: bool,
    pub rsv1: bool,
    pub rsv2: bool,
    pub rsv3: bool,
    pub opcode: u8,
    pub opcode_name: &'static str,
    pub masked: bool,
    pub masking_key: Option<[u8; 4]>,
    pub header_len: usize,
    pub payload_len: u64,
    /// The kept wire bytes.
    pub raw: &'a [u8],
    /// The kept unmasked payload.
    pub payload: &'a [u8],
    pub truncated: bool,
}

impl FrameView<'_> {
    pub(crate) fn owned(&self) -> Frame {
        Frame {
            index: self.index,
            direction: self.direction,
            time: self.time,
            stream_offset: self.stream_offset,
            fin: self.fin,
            rsv1: self.rsv1,
            rsv2: self.rsv2,
            rsv3: self.rsv3,
            opcode: self.opcode,
            opcode_name: self.opcode_name,
            masked: self.masked,
            masking_key: self.masking_key.map(MaskKey),
            header_len: self.header_len,
            payload_len: self.payload_len,
            raw_hex: Hex(self.raw.to_vec()),
            payload_hex: Hex(self.payload.to_vec()),
            truncated: self.truncated,
        }
    }
}

impl Frame {
    /// This frame as a view.
    pub(crate) fn view(&self) -> FrameView<'_> {
        FrameView {
            index: self.index,
            direction: self.direction,
            time: self.time,
            stream_offset: self.stream_offset,
            fin: self.fin,
            rsv1: self.rsv1,
            rsv2: self.rsv2,
            rsv3: self.rsv3,
            opcode: self.opcode,
            opcode_name: self.opcode_name,
            masked: self.masked,
            masking_key: self.masking_key.map(|k| k.0),
            header_len: self.header_len,
            payload_len: self.payload_len,
            raw: &self.raw_hex.0,
            payload: &self.payload_hex.0,
            truncated: self.truncated,
        }
    }
}

/// A message record with its bytes borrowed: what [`Message`] holds, before it is built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MessageView<'a> {
    pub index: u64,
    pub direction: Direction,
    pub time: f64,
    pub kind: MessageKind,
    pub length: u64,
    pub compressed: bool,
    pub frames: Option<[u64; 2]>,
    /// The kept text (UTF-8, validated by the decoder; made a `String` lossily all the same).
    pub text: Option<&'a [u8]>,
    /// The kept data bytes.
    pub data: &'a [u8],
    pub truncated: bool,
    pub close_code: Option<u16>,
    /// The kept close reason (as `text`).
    pub close_reason: Option<&'a [u8]>,
}

impl MessageView<'_> {
    pub(crate) fn owned(&self) -> Message {
        Message {
            index: self.index,
            direction: self.direction,
            time: self.time,
            kind: self.kind,
            length: self.length,
            compressed: self.compressed,
            frames: self.frames,
            text: self.text.map(|t| String::from_utf8_lossy(t).into_owned()),
            data_hex: Hex(self.data.to_vec()),
            truncated: self.truncated,
            close_code: self.close_code,
            close_reason: self
                .close_reason
                .map(|t| String::from_utf8_lossy(t).into_owned()),
        }
    }
}

impl Message {
    /// This message as a view.
    pub(crate) fn view(&self) -> MessageView<'_> {
        MessageView {
            index: self.index,
            direction: self.direction,
            time: self.time,
            kind: self.kind,
            length: self.length,
            compressed: self.compressed,
            frames: self.frames,
            text: self.text.as_deref().map(str::as_bytes),
            data: &self.data_hex.0,
            truncated: self.truncated,
            close_code: self.close_code,
            close_reason: self.close_reason.as_deref().map(str::as_bytes),
        }
    }
}

impl Emit for VecDeque<CaptureEvent> {
    fn push_back(&mut self, ev: CaptureEvent) {
        VecDeque::push_back(self, ev);
    }
}

/// A callback as an [`Emit`].
pub(crate) struct Call<F: FnMut(CaptureEvent)>(pub F);

impl<F: FnMut(CaptureEvent)> Emit for Call<F> {
    fn push_back(&mut self, ev: CaptureEvent) {
        (self.0)(ev);
    }
}

/// The options, and whether frame and message records are wanted (a summary needs only the
/// counts).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub opts: CaptureOptions,
    pub records: bool,
}

impl std::ops::Deref for Settings {
    type Target = CaptureOptions;
    fn deref(&self) -> &CaptureOptions {
        &self.opts
    }
}

/// Counters shared by the flows of one capture.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub next_conn: u64,
    /// TCP connections that were not WebSocket.
    pub other_tcp: u64,
}

/// A TCP connection. Side 0 is the endpoint that sent the first packet seen.
#[derive(Debug)]
pub(crate) struct Flow {
    pub ends: [SocketAddr; 2],
    pub dirs: [Reassembler; 2],
    pub start: f64,
    pub end: f64,
    pub closed: Option<TcpClose>,
    state: State,
    pub finished: bool,
    /// Creation order, to finish flows deterministically.
    pub order: u64,
}

#[derive(Debug)]
enum State {
    Detect(Box<Detect>),
    Ws(Box<WsConn>),
    NotWs,
}

/// Bytes held per side until the protocol is known, with the times of the packets they came in.
#[derive(Debug, Default)]
struct Held {
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// `(end index in buf, packet time)` for each piece.
    times: Vec<(usize, f64)>,
}

impl Held {
    fn push(&mut self, bytes: &[u8], time: f64) {
        let room = DETECT_CAP.saturating_sub(self.buf.len());
        let take = bytes.get(..room.min(bytes.len())).unwrap_or_default();
        if take.is_empty() {
            return;
        }
        self.buf.extend_from_slice(take);
        self.times.push((self.buf.len(), time));
    }

    fn reset(&mut self, base: u64) {
        self.buf.clear();
        self.times.clear();
        self.base = base;
    }

    fn full(&self) -> bool {
        self.buf.len() >= DETECT_CAP
    }

    /// The pieces from index `from` on, each with its time.
    fn pieces(&self, from: usize) -> Vec<(u64, &[u8], f64)> {
        let mut out = Vec::new();
        let mut start = 0usize;
        for &(end, t) in &self.times {
            let s = start.max(from);
            if s < end {
                if let Some(b) = self.buf.get(s..end) {
                    out.push((self.base + s as u64, b, t));
                }
            }
            start = end;
        }
        out
    }
}

#[derive(Debug, Default)]
struct Detect {
    held: [Held; 2],
    /// A gap was seen: the stream start is lost, so no handshake can be trusted.
    gapped: bool,
    /// Gaps seen while detecting, `(side, offset, len, time)`: reported if the flow turns out
    /// to be WebSocket (bounded: only the first few are kept).
    gaps: Vec<(usize, u64, u64, f64)>,
}

/// The conversion of decoder output into report records.
#[derive(Debug)]
struct WsConn {
    id: u64,
    /// Side index of the client.
    client: usize,
    dirs: [WsDir; 2],
    frames: u64,
    messages: u64,
}

impl WsConn {
    /// Runs `f` on the direction of side `side`, with the context its events need.
    fn with_dir(
        &mut self,
        side: usize,
        opts: &Settings,
        events: &mut dyn Emit,
        f: impl FnOnce(&mut WsDir, &mut Cx<'_>),
    ) {
        let WsConn {
            id,
            dirs,
            frames,
            messages,
            ..
        } = self;
        if let Some(d) = dirs.get_mut(side) {
            let mut cx = Cx {
                opts,
                id: *id,
                frames,
                messages,
                events,
            };
            f(d, &mut cx);
        }
    }
}

#[derive(Debug)]
struct WsDir {
    direction: Direction,
    /// The role of the receiver of this direction's frames.
    role: Role,
    deflate: Option<DeflateParams>,
    mode: Mode,
}

#[derive(Debug)]
enum Mode {
    Resync(Held),
    Decode(Box<FrameDecoder>),
    Stopped,
}

/// A frame in progress.
#[derive(Debug)]
struct Cur {
    h: FrameHeader,
    hlen: u64,
    /// Stream offset of its first byte.
    start: u64,
    /// Wire bytes seen so far (header included).
    seen: u64,
    raw: Vec<u8>,
    payload: Vec<u8>,
}

impl Cur {
    fn total(&self) -> u64 {
        self.hlen.saturating_add(self.h.payload_len)
    }
}

/// One direction being decoded frame by frame.
#[derive(Debug)]
struct FrameDecoder {
    dec: Decoder,
    /// Stream offset of the decoder's first byte.
    base: u64,
    hdr: [u8; MAX_HEADER_LEN],
    hdr_len: usize,
    /// Stream offset of `hdr[0]`.
    hdr_start: u64,
    cur: Option<Cur>,
    msg_first: u64,
    msg_compressed: bool,
    scratch: Vec<u8>,
    /// Messages of the frame in progress (kept to reuse the allocation).
    pend: Vec<Pending>,
    /// The kept bytes of `pend`'s messages.
    kept: Vec<u8>,
    /// The byte buffers of the last frame, reused for the next.
    spare: (Vec<u8>, Vec<u8>),
}

/// Buffers up to this capacity are reused from frame to frame.
const SPARE_CAP: usize = 1 << 16;

/// A message waiting for its frame to be numbered.
#[derive(Debug)]
struct Pending {
    kind: MessageKind,
    length: u64,
    /// Ranges of the decoder's `kept` buffer.
    text: Option<Range<usize>>,
    data: Range<usize>,
    truncated: bool,
    close_code: Option<u16>,
    close_reason: Option<Range<usize>>,
}

/// Everything a direction needs from its connection while decoding.
struct Cx<'a> {
    opts: &'a Settings,
    id: u64,
    frames: &'a mut u64,
    messages: &'a mut u64,
    events: &'a mut dyn Emit,
}

fn limit(opts: &CaptureOptions, len: usize) -> usize {
    opts.max_bytes.map_or(len, |m| m.min(len))
}

/// Appends `b` to `out`; returns where it went.
fn keep(out: &mut Vec<u8>, b: &[u8]) -> Range<usize> {
    let start = out.len();
    out.extend_from_slice(b);
    start..out.len()
}

/// `bytes` cut to `max_bytes` (appended to `out`: its range), and whether it was cut.
fn cut(opts: &CaptureOptions, bytes: &[u8], out: &mut Vec<u8>) -> (Range<usize>, bool) {
    let n = limit(opts, bytes.len());
    (
        keep(out, bytes.get(..n).unwrap_or_default()),
        n < bytes.len(),
    )
}

/// UTF-8 text (validated by the decoder) at `from` in `bytes`, cut to at most `max_bytes` on a
/// character boundary: its range in `out` (inside the kept `data` when it is there, appended
/// otherwise), and whether it was cut. Only the kept prefix is looked at.
fn cut_text(
    opts: &CaptureOptions,
    bytes: &[u8],
    from: usize,
    data: &Range<usize>,
    out: &mut Vec<u8>,
) -> (Range<usize>, bool) {
    let b = bytes.get(from..).unwrap_or_default();
    let mut n = limit(opts, b.len());
    while n > 0 && n < b.len() && b.get(n).is_some_and(|c| c & 0xc0 == 0x80) {
        n -= 1;
    }
    let range = if from + n <= data.len() {
        data.start + from..data.start + from + n
    } else {
        keep(out, b.get(..n).unwrap_or_default())
    };
    (range, n < b.len())
}

/// The bytes at `r` of `kept`.
fn bytes_at<'a>(kept: &'a [u8], r: Option<&Range<usize>>) -> Option<&'a [u8]> {
    Some(kept.get(r?.clone()).unwrap_or_default())
}

impl FrameDecoder {
    fn new(cfg: DecoderConfig, base: u64) -> Self {
        Self {
            dec: Decoder::new(cfg),
            base,
            hdr: [0; MAX_HEADER_LEN],
            hdr_len: 0,
            hdr_start: base,
            cur: None,
            msg_first: 0,
            msg_compressed: false,
            scratch: Vec::new(),
            pend: Vec::new(),
            kept: Vec::new(),
            spare: (Vec::new(), Vec::new()),
        }
    }

    /// Decodes `bytes` (at stream offset `off`). Returns false once a protocol error stopped
    /// the direction.
    fn feed(&mut self, bytes: &[u8], off: u64, time: f64, dir: Direction, cx: &mut Cx<'_>) -> bool {
        self.scratch.clear();
        self.scratch.extend_from_slice(bytes);
        let len = bytes.len();
        let mut pos = 0usize;
        while pos < len {
            if self.cur.is_none() {
                let mut tmp = [0u8; MAX_HEADER_LEN];
                let have = self.hdr_len;
                let n = (MAX_HEADER_LEN - have).min(len - pos);
                if let (Some(d), Some(s)) = (tmp.get_mut(..have), self.hdr.get(..have)) {
                    d.copy_from_slice(s);
                }
                if let (Some(d), Some(s)) = (tmp.get_mut(have..have + n), bytes.get(pos..pos + n)) {
                    d.copy_from_slice(s);
                }
                if have == 0 {
                    self.hdr_start = off + pos as u64;
                }
                match parse_header(tmp.get(..have + n).unwrap_or_default()) {
                    Parsed::Complete { value, len: hlen } => {
                        let (mut raw, mut payload) = std::mem::take(&mut self.spare);
                        raw.clear();
                        payload.clear();
                        let keep = limit(cx.opts, have);
                        raw.extend_from_slice(self.hdr.get(..keep).unwrap_or_default());
                        self.cur = Some(Cur {
                            h: value,
                            hlen: hlen as u64,
                            start: self.hdr_start,
                            seen: have as u64,
                            raw,
                            payload,
                        });
                        self.hdr_len = 0;
                    }
                    Parsed::NeedMore(_) => {
                        // A partial header: keep it, and let the decoder keep it too.
                        if let (Some(d), Some(s)) =
                            (self.hdr.get_mut(have..have + n), bytes.get(pos..pos + n))
                        {
                            d.copy_from_slice(s);
                        }
                        self.hdr_len = have + n;
                        let end = pos + n;
                        if !self.run_decoder(pos, end, time, dir, cx, &mut Vec::new()) {
                            return false;
                        }
                        pos = end;
                        continue;
                    }
                }
            }
            let Some(cur) = self.cur.as_mut() else { break };
            let left = cur.total() - cur.seen;
            let piece = (left.min((len - pos) as u64)) as usize;
            let end = pos + piece;
            // Wire bytes, as sent.
            let room = limit(cx.opts, usize::MAX).saturating_sub(cur.raw.len());
            if room > 0 {
                let take = room.min(piece);
                cur.raw
                    .extend_from_slice(bytes.get(pos..pos + take).unwrap_or_default());
            }
            // Unmasked payload: the part of the piece past the header.
            let pay_from = cur.hlen.max(cur.seen);
            let pay_to = cur.seen + piece as u64;
            if pay_to > pay_from {
                let room = limit(cx.opts, usize::MAX).saturating_sub(cur.payload.len());
                let take = room.min((pay_to - pay_from) as usize);
                if take > 0 {
                    let at = pos + (pay_from - cur.seen) as usize;
                    let before = cur.payload.len();
                    cur.payload
                        .extend_from_slice(bytes.get(at..at + take).unwrap_or_default());
                    if let (Some(k), Some(p)) = (cur.h.mask, cur.payload.get_mut(before..)) {
                        apply_mask(p, k, ((pay_from - cur.hlen) % 4) as usize);
                    }
                }
            }
            cur.seen += piece as u64;
            let done = cur.seen == cur.total();
            let mut pend = std::mem::take(&mut self.pend);
            if !self.run_decoder(pos, end, time, dir, cx, &mut pend) {
                return false;
            }
            pos = end;
            // (Events before the frame ends cannot happen; they would be kept anyway.)
            let idx = match self.cur.take() {
                Some(cur) if done => self.emit_frame(cur, time, dir, false, cx),
                other => {
                    self.cur = other;
                    *cx.frames
                }
            };
            if !pend.is_empty() {
                let kept = std::mem::take(&mut self.kept);
                for p in pend.drain(..) {
                    self.emit_message(&p, &kept, idx, time, dir, cx);
                }
                self.kept = kept;
            }
            self.kept.clear();
            self.pend = pend;
        }
        true
    }

    /// Runs the decoder over `scratch[from..to]`, collecting its events. On a protocol error,
    /// reports it (with the partial frame) and returns false.
    fn run_decoder(
        &mut self,
        from: usize,
        to: usize,
        time: f64,
        dir: Direction,
        cx: &mut Cx<'_>,
        pend: &mut Vec<Pending>,
    ) -> bool {
        let mut p = from;
        let Some(input) = self.scratch.get_mut(..to) else {
            return true;
        };
        loop {
            match self.dec.next_event(input, &mut p) {
                Ok(Some(ev)) => {
                    if cx.opts.records {
                        pend.push(pending(ev, input, &mut self.kept, cx.opts));
                    } else {
                        *cx.messages += 1;
                    }
                    if p == to && self.dec.at_frame_boundary() {
                        // Everything was consumed: asking again would only say so.
                        return true;
                    }
                }
                Ok(None) => return true,
                Err(e) => {
                    let frame = self
                        .cur
                        .take()
                        .map(|cur| self.emit_frame(cur, time, dir, true, cx));
                    cx.events.push_back(CaptureEvent::Error {
                        conn: cx.id,
                        error: Box::new(ConnectionError {
                            direction: dir,
                            time,
                            frame,
                            stream_offset: self.base + e.offset,
                            code: e.kind.code(),
                            close_code: e.kind.close_code().into(),
                            rfc_section: e.kind.rfc_section(),
                            message: e.kind.to_string(),
                        }),
                    });
                    cx.events.push_back(CaptureEvent::Note {
                        conn: cx.id,
                        note: format!("{} not decoded past the error", dir.name()),
                    });
                    return false;
                }
            }
        }
    }

    fn emit_frame(
        &mut self,
        cur: Cur,
        time: f64,
        dir: Direction,
        partial: bool,
        cx: &mut Cx<'_>,
    ) -> u64 {
        let idx = *cx.frames;
        *cx.frames += 1;
        let h = cur.h;
        if matches!(h.opcode, 1 | 2) || h.is_control() {
            self.msg_first = idx;
        }
        if matches!(h.opcode, 1 | 2) {
            self.msg_compressed = h.rsv1;
        }
        if !cx.opts.records {
            return idx;
        }
        let truncated = partial
            || (cur.raw.len() as u64) < cur.total()
            || (cur.payload.len() as u64) < h.payload_len;
        cx.events.frame(
            cx.id,
            &FrameView {
                index: idx,
                direction: dir,
                time,
                stream_offset: cur.start,
                fin: h.fin,
                rsv1: h.rsv1,
                rsv2: h.rsv2,
                rsv3: h.rsv3,
                opcode: h.opcode,
                opcode_name: opcode_name(h.opcode),
                masked: h.mask.is_some(),
                masking_key: h.mask,
                header_len: h.len(),
                payload_len: h.payload_len,
                raw: &cur.raw,
                payload: &cur.payload,
                truncated,
            },
        );
        if cur.raw.capacity() <= SPARE_CAP && cur.payload.capacity() <= SPARE_CAP {
            self.spare = (cur.raw, cur.payload);
        }
        idx
    }

    fn emit_message(
        &mut self,
        p: &Pending,
        kept: &[u8],
        frame: u64,
        time: f64,
        dir: Direction,
        cx: &mut Cx<'_>,
    ) {
        let idx = *cx.messages;
        *cx.messages += 1;
        let first = if matches!(p.kind, MessageKind::Text | MessageKind::Binary) {
            self.msg_first
        } else {
            frame
        };
        cx.events.message(
            cx.id,
            &MessageView {
                index: idx,
                direction: dir,
                time,
                kind: p.kind,
                length: p.length,
                compressed: matches!(p.kind, MessageKind::Text | MessageKind::Binary)
                    && self.msg_compressed,
                frames: Some([first, frame]),
                text: bytes_at(kept, p.text.as_ref()),
                data: kept.get(p.data.clone()).unwrap_or_default(),
                truncated: p.truncated,
                close_code: p.close_code,
                close_reason: bytes_at(kept, p.close_reason.as_ref()),
            },
        );
    }

    /// The capture ended (or a gap cut the stream): report the frame in progress, if any.
    fn abandon(&mut self, time: f64, dir: Direction, cx: &mut Cx<'_>) -> Option<u64> {
        let cur = self.cur.take()?;
        let at = cur.start;
        self.emit_frame(cur, time, dir, true, cx);
        Some(at)
    }
}

fn pending(ev: Event, input: &[u8], kept: &mut Vec<u8>, opts: &CaptureOptions) -> Pending {
    let (kind, payload) = match &ev {
        Event::Message {
            text: true,
            payload,
        } => (MessageKind::Text, payload),
        Event::Message {
            text: false,
            payload,
        } => (MessageKind::Binary, payload),
        Event::Ping(p) => (MessageKind::Ping, p),
        Event::Pong(p) => (MessageKind::Pong, p),
        Event::Close { payload, .. } => (MessageKind::Close, payload),
    };
    let bytes = payload.as_slice(input);
    let (data, mut truncated) = cut(opts, bytes, kept);
    let mut text = None;
    let (mut close_code, mut close_reason) = (None, None);
    match &ev {
        Event::Message { text: true, .. } => {
            let (t, tr) = cut_text(opts, bytes, 0, &data, kept);
            truncated |= tr;
            text = Some(t);
        }
        Event::Close { code, .. } => {
            close_code = *code;
            if code.is_some() {
                let (t, tr) = cut_text(opts, bytes, 2, &data, kept);
                truncated |= tr;
                text = Some(t.clone());
                close_reason = Some(t);
            }
        }
        _ => {}
    }
    Pending {
        kind,
        length: bytes.len() as u64,
        text,
        data,
        truncated,
        close_code,
        close_reason,
    }
}

/// A credible frame boundary found in `buf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hit {
    offset: usize,
    /// The receiver's role (masked frames: a server receives them).
    role: Role,
    rsv1: bool,
}

/// Looks for the first offset from which several frames in a row are well formed (by the
/// engine's header rules) with the same masking (`role`, when known). At the end of a stream
/// (`last`), a run from offset 0 that ends exactly at the end of `buf` is enough.
fn find_frames(buf: &[u8], role: Option<Role>, last: bool, max_frame: u64) -> Option<Hit> {
    for off in 0..buf.len() {
        let mut p = off;
        let mut count = 0;
        let mut in_message = false;
        let mut run_role = role;
        let mut rsv1 = false;
        while let Some(rest) = buf.get(p..).filter(|r| !r.is_empty()) {
            let Parsed::Complete { value: h, len } = parse_header(rest) else {
                break;
            };
            let r = if h.mask.is_some() {
                Role::Server
            } else {
                Role::Client
            };
            if run_role.is_some_and(|x| x != r) {
                break;
            }
            run_role = Some(r);
            let cx = HeaderContext {
                role: r,
                rsv1_allowed: true,
                in_message,
                max_frame_size: max_frame,
            };
            let mut bad = false;
            check_header(&h, &cx, |_| bad = true);
            if bad {
                break;
            }
            let end = (p as u64)
                .saturating_add(len as u64)
                .saturating_add(h.payload_len);
            if end > buf.len() as u64 {
                break;
            }
            rsv1 |= h.rsv1;
            count += 1;
            p = end as usize;
            match h.opcode {
                1 | 2 => in_message = !h.fin,
                0 if h.fin => in_message = false,
                _ => {}
            }
            let need = if role.is_some() {
                RESYNC_FRAMES_KNOWN
            } else {
                RESYNC_FRAMES
            };
            if count >= need {
                break;
            }
        }
        let need = if role.is_some() {
            RESYNC_FRAMES_KNOWN
        } else {
            RESYNC_FRAMES
        };
        let whole = last && off == 0 && count >= 1 && p == buf.len();
        if count >= need || whole {
            let Some(r) = run_role else { continue };
            if decodes(buf.get(off..p).unwrap_or_default(), r, rsv1, max_frame) {
                return Some(Hit {
                    offset: off,
                    role: r,
                    rsv1,
                });
            }
        }
    }
    None
}

/// True if the engine's decoder takes `run` (whole frames) without a protocol error (text
/// must be UTF-8, close frames well formed...): random bytes that happen to look like a few
/// frame headers rarely pass.
fn decodes(run: &[u8], role: Role, rsv1: bool, max_frame: u64) -> bool {
    let mut dec = Decoder::new(DecoderConfig {
        role,
        max_frame_size: max_frame,
        max_message_size: wsprism::decoder::DEFAULT_MAX_MESSAGE_SIZE,
        deflate: rsv1.then(DeflateParams::default),
    });
    let mut copy = run.to_vec();
    dec.decode_all(&mut copy).is_ok()
}

fn is_get_prefix(buf: &[u8]) -> bool {
    let n = buf.len().min(4);
    buf.get(..n) == b"GET ".get(..n)
}

fn headers(hs: &[handshake::Header]) -> Vec<(String, String)> {
    hs.iter()
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect()
}

/// A handshake problem to report: code and message.
pub(crate) type Problem = (&'static str, String);

/// The handshake report from a parsed request and response, the deflate parameters in force,
/// and the problems found (invalid request, invalid or rejecting response).
pub(crate) fn build_handshake(req: &Request, resp: Option<&Response>) -> (Handshake, Vec<Problem>) {
    let mut problems = Vec::new();
    if let Err(e) = req.validate() {
        problems.push(("CAPTURE_HANDSHAKE_INVALID", format!("request: {e}")));
    }
    let key = req.header("sec-websocket-key").unwrap_or_default().trim();
    let mut hs = Handshake {
        request: HttpRequest {
            method: req.method.clone(),
            target: req.path.clone(),
            headers: headers(&req.headers),
        },
        response: None,
        accept_valid: false,
        subprotocol: None,
        extensions: None,
        deflate: None,
    };
    let Some(resp) = resp else {
        return (hs, problems);
    };
    hs.response = Some(HttpResponse {
        status: resp.status,
        reason: resp.reason.clone(),
        headers: headers(&resp.headers),
    });
    hs.accept_valid = resp
        .header("sec-websocket-accept")
        .is_some_and(|a| a.trim() == handshake::accept_key(key));
    hs.subprotocol = resp
        .header("sec-websocket-protocol")
        .map(|p| p.trim().to_string());
    let ext_values: Vec<&str> = resp
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("sec-websocket-extensions"))
        .map(|h| h.value.as_str())
        .collect();
    if !ext_values.is_empty() {
        hs.extensions = Some(ext_values.join(", "));
    }
    if resp.status != 101 {
        problems.push((
            "CAPTURE_HANDSHAKE_REJECTED",
            format!(
                "the server answered {} {}: no WebSocket frames follow",
                resp.status, resp.reason
            ),
        ));
        return (hs, problems);
    }
    let offered_protocols: Vec<&str> = req.header_list("sec-websocket-protocol").collect();
    let mut offered_exts = Vec::new();
    for h in req
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("sec-websocket-extensions"))
    {
        if let Ok(exts) = handshake::parse_extensions(&h.value) {
            offered_exts.extend(exts.into_iter().map(|e| e.name));
        }
    }
    let offered: Vec<&str> = offered_exts.iter().map(String::as_str).collect();
    if let Err(e) = resp.validate(key, &offered_protocols, &offered) {
        problems.push(("CAPTURE_HANDSHAKE_INVALID", format!("response: {e}")));
    }
    // The parameters in force are the server's answer (RFC 7692 §7.1): the engine's
    // client-side parsing of it, against a default offer.
    for v in &ext_values {
        match handshake::parse_extensions(v) {
            Ok(exts) => {
                for e in exts.iter().filter(|e| e.name == deflate::NAME) {
                    match deflate::accept_response(e, &DeflateConfig::default()) {
                        Ok(p) => hs.deflate = hs.deflate.or(Some(p)),
                        Err(err) => problems.push((
                            "CAPTURE_HANDSHAKE_INVALID",
                            format!("permessage-deflate: {err}"),
                        )),
                    }
                }
            }
            Err(err) => problems.push(("CAPTURE_HANDSHAKE_INVALID", format!("response: {err}"))),
        }
    }
    (hs, problems)
}

/// How a flow's protocol was decided.
enum Verdict {
    Wait,
    NotWs,
    Handshake {
        client: usize,
        req: Box<Request>,
        req_len: usize,
        resp: Option<(Box<Response>, usize)>,
        resp_err: Option<String>,
    },
    Resync {
        side: usize,
        hit: Hit,
    },
}

impl Flow {
    pub fn new(a: SocketAddr, b: SocketAddr, time: f64, order: u64) -> Self {
        Self {
            ends: [a, b],
            dirs: [Reassembler::default(), Reassembler::default()],
            start: time,
            end: time,
            closed: None,
            state: State::Detect(Box::default()),
            finished: false,
            order,
        }
    }

    /// Handles one segment from side `side`.
    #[allow(clippy::too_many_arguments)]
    pub fn segment(
        &mut self,
        side: usize,
        seg: &crate::link::Segment<'_>,
        time: f64,
        opts: &Settings,
        shared: &mut Shared,
        events: &mut dyn Emit,
    ) {
        self.end = time;
        if self.finished {
            return;
        }
        let Flow { dirs, state, .. } = self;
        let Some(dir) = dirs.get_mut(side) else {
            return;
        };
        if matches!(state, State::NotWs) {
            // Nothing is delivered anywhere: keep it cheap.
            dir.stats.segments += 1;
        } else {
            // Delivered straight into the state machine (no copy for in-order data).
            dir.segment(
                seg.seq,
                seg.syn,
                seg.fin,
                seg.payload,
                time,
                &mut |c| match c {
                    Chunk::Data {
                        offset,
                        bytes,
                        time,
                    } => state.data(side, offset, bytes, time, opts, events),
                    Chunk::Gap { offset, len, time } => {
                        state.gap(side, offset, len, time, opts, events)
                    }
                },
            );
        }
        if seg.rst {
            self.closed = Some(TcpClose::Rst);
        } else if seg.fin && self.closed.is_none() {
            self.closed = Some(TcpClose::Fin);
        }
        let syn = self.dirs.iter().any(|d| d.syn_seen);
        self.evaluate(false, syn, time, opts, shared, events);
        let both_fin = self.dirs.iter().all(Reassembler::fin_done);
        let rst = self.closed == Some(TcpClose::Rst);
        if (both_fin || rst) && !self.dirs.iter().any(Reassembler::has_pending) {
            self.finish(time, opts, shared, events);
        }
    }

    /// Decides the protocol of a flow still being detected.
    fn evaluate(
        &mut self,
        last: bool,
        syn: bool,
        time: f64,
        opts: &Settings,
        shared: &mut Shared,
        events: &mut dyn Emit,
    ) {
        let State::Detect(d) = &self.state else {
            return;
        };
        let verdict = detect(d, syn, last, opts);
        match verdict {
            Verdict::Wait => {}
            Verdict::NotWs => {
                shared.other_tcp += 1;
                self.state = State::NotWs;
            }
            v => self.open(v, time, opts, shared, events),
        }
    }

    fn open(
        &mut self,
        v: Verdict,
        time: f64,
        opts: &Settings,
        shared: &mut Shared,
        events: &mut dyn Emit,
    ) {
        let State::Detect(d) = std::mem::replace(&mut self.state, State::NotWs) else {
            return;
        };
        let id = shared.next_conn;
        shared.next_conn += 1;
        let (client, handshake_seen) = match &v {
            Verdict::Handshake { client, .. } => (*client, true),
            Verdict::Resync { side, hit } => (
                if hit.role == Role::Server {
                    *side
                } else {
                    1 - *side
                },
                false,
            ),
            _ => (0, false),
        };
        let server = 1 - client;
        let addr = |i: usize| self.ends.get(i).copied().map(fmt_addr).unwrap_or_default();
        events.push_back(CaptureEvent::Connection(Box::new(ConnectionInfo {
            id,
            client: addr(client),
            server: addr(server),
            start: self.start,
            handshake_seen,
        })));
        let dir_of = |side: usize| {
            if side == client {
                Direction::ClientToServer
            } else {
                Direction::ServerToClient
            }
        };
        for &(side, offset, len, t) in &d.gaps {
            events.push_back(CaptureEvent::Error {
                conn: id,
                error: capture_error(
                    dir_of(side),
                    t,
                    offset,
                    "CAPTURE_TCP_GAP",
                    format!(
                        "{len} bytes of the {} stream were not captured (before the connection was recognised)",
                        dir_of(side).name()
                    ),
                ),
            });
        }
        let mk = |side: usize, deflate: Option<DeflateParams>, mode: Mode| WsDir {
            direction: dir_of(side),
            role: if side == client {
                Role::Server
            } else {
                Role::Client
            },
            deflate,
            mode,
        };
        let mut conn = WsConn {
            id,
            client,
            dirs: [mk(0, None, Mode::Stopped), mk(1, None, Mode::Stopped)],
            frames: 0,
            messages: 0,
        };
        let [h0, h1] = d.held;
        let mut held = [Some(h0), Some(h1)];
        let mut feed_from: [Option<usize>; 2] = [None, None];
        match v {
            Verdict::Handshake {
                req,
                req_len,
                resp,
                resp_err,
                ..
            } => {
                let (hs, problems) = build_handshake(&req, resp.as_ref().map(|(r, _)| &**r));
                let upgraded = resp.as_ref().is_some_and(|(r, _)| r.status == 101);
                let deflate = hs.deflate;
                events.push_back(CaptureEvent::Handshake {
                    conn: id,
                    handshake: Box::new(hs),
                });
                for (code, message) in problems {
                    events.push_back(CaptureEvent::Error {
                        conn: id,
                        error: capture_error(
                            if code == "CAPTURE_HANDSHAKE_REJECTED" {
                                Direction::ServerToClient
                            } else {
                                Direction::ClientToServer
                            },
                            time,
                            0,
                            code,
                            message,
                        ),
                    });
                }
                if let Some(e) = &resp_err {
                    events.push_back(CaptureEvent::Error {
                        conn: id,
                        error: capture_error(
                            Direction::ServerToClient,
                            time,
                            0,
                            "CAPTURE_HTTP_INVALID",
                            format!("response: {e}"),
                        ),
                    });
                }
                // A capture of one direction only (or cut before the answer): decode the
                // client's frames as if the upgrade succeeded, with permessage-deflate if the
                // client offered it.
                let assumed = resp.is_none() && resp_err.is_none();
                let offered_deflate = req
                    .headers
                    .iter()
                    .filter(|h| h.name.eq_ignore_ascii_case("sec-websocket-extensions"))
                    .filter_map(|h| handshake::parse_extensions(&h.value).ok())
                    .flatten()
                    .any(|e| e.name == deflate::NAME);
                let deflate = if assumed {
                    offered_deflate.then(DeflateParams::default)
                } else {
                    deflate
                };
                if resp.is_none() {
                    events.push_back(CaptureEvent::Note {
                        conn: id,
                        note: if assumed {
                            format!(
                                "no handshake response in the capture: client frames decoded as if the upgrade succeeded{}",
                                if offered_deflate {
                                    " with permessage-deflate (default parameters), as offered"
                                } else {
                                    ""
                                }
                            )
                        } else {
                            "no handshake response in the capture".into()
                        },
                    });
                }
                if upgraded || assumed {
                    for (side, d) in conn.dirs.iter_mut().enumerate() {
                        d.deflate = deflate;
                        let start = if side == client {
                            Some(req_len)
                        } else {
                            resp.as_ref().map(|(_, l)| *l)
                        };
                        if let (Some(start), Some(Some(h))) = (start, held.get(side)) {
                            let base = h.base + start as u64;
                            d.mode = Mode::Decode(Box::new(FrameDecoder::new(
                                decoder_config(d.role, deflate, opts),
                                base,
                            )));
                            if let Some(f) = feed_from.get_mut(side) {
                                *f = Some(start);
                            }
                        }
                    }
                }
            }
            Verdict::Resync { side, hit } => {
                events.push_back(CaptureEvent::Note {
                    conn: id,
                    note: "no handshake seen".into(),
                });
                let deflate = hit.rsv1.then(DeflateParams::default);
                if deflate.is_some() {
                    events.push_back(CaptureEvent::Note {
                        conn: id,
                        note: "RSV1 frames seen: permessage-deflate assumed with default \
                               parameters (messages compressed with context takeover may \
                               not inflate without the earlier messages)"
                            .into(),
                    });
                }
                for (s, d) in conn.dirs.iter_mut().enumerate() {
                    d.deflate = deflate;
                    if s == side {
                        let base = held.get(s).and_then(|h| h.as_ref()).map_or(0, |h| h.base);
                        let at = base + hit.offset as u64;
                        if hit.offset > 0 {
                            events.push_back(CaptureEvent::Note {
                                conn: id,
                                note: format!(
                                    "resynchronised at stream offset {at} ({})",
                                    d.direction.name()
                                ),
                            });
                        }
                        d.mode = Mode::Decode(Box::new(FrameDecoder::new(
                            decoder_config(d.role, deflate, opts),
                            at,
                        )));
                        if let Some(f) = feed_from.get_mut(s) {
                            *f = Some(hit.offset);
                        }
                    } else if let Some(h) = held.get_mut(s).and_then(Option::take) {
                        d.mode = Mode::Resync(h);
                    }
                }
            }
            _ => {}
        }
        // Feed what was held.
        for side in 0..2 {
            let (Some(Some(from)), Some(Some(h)), Some(d)) =
                (feed_from.get(side), held.get(side), conn.dirs.get_mut(side))
            else {
                continue;
            };
            let mut cx = Cx {
                opts,
                id,
                frames: &mut conn.frames,
                messages: &mut conn.messages,
                events,
            };
            for (off, bytes, t) in h.pieces(*from) {
                d.data(off, bytes, t, &mut cx);
            }
        }
        // A direction left resynchronising may already hold enough.
        for d in conn.dirs.iter_mut() {
            let mut cx = Cx {
                opts,
                id,
                frames: &mut conn.frames,
                messages: &mut conn.messages,
                events,
            };
            d.rescan(false, time, &mut cx);
        }
        self.state = State::Ws(Box::new(conn));
    }

    /// Ends the flow: pending bytes are flushed (holes become gaps), a flow still being
    /// detected gets a last chance, and a WebSocket connection is reported closed.
    pub fn finish(
        &mut self,
        time: f64,
        opts: &Settings,
        shared: &mut Shared,
        events: &mut dyn Emit,
    ) {
        if self.finished {
            return;
        }
        self.finished = true;
        let Flow { dirs, state, .. } = self;
        for (side, dir) in dirs.iter_mut().enumerate() {
            dir.flush(time, &mut |c| match c {
                Chunk::Data {
                    offset,
                    bytes,
                    time,
                } => state.data(side, offset, bytes, time, opts, events),
                Chunk::Gap { offset, len, time } => {
                    state.gap(side, offset, len, time, opts, events)
                }
            });
        }
        let syn = self.dirs.iter().any(|d| d.syn_seen);
        self.evaluate(true, syn, time, opts, shared, events);
        if let State::Detect(_) = self.state {
            shared.other_tcp += 1;
            self.state = State::NotWs;
        }
        let end = self.end;
        let closed = self.closed;
        let stats = [self.dirs[0].stats, self.dirs[1].stats];
        if let State::Ws(conn) = &mut self.state {
            let id = conn.id;
            let client = conn.client;
            for d in conn.dirs.iter_mut() {
                let mut cx = Cx {
                    opts,
                    id,
                    frames: &mut conn.frames,
                    messages: &mut conn.messages,
                    events,
                };
                d.rescan(true, time, &mut cx);
                d.end(time, &mut cx);
            }
            let c2s = stats.get(client).copied().unwrap_or_default();
            let s2c = stats.get(1 - client).copied().unwrap_or_default();
            events.push_back(CaptureEvent::Closed {
                conn: id,
                end,
                frames: conn.frames,
                messages: conn.messages,
                tcp: Box::new(TcpReport {
                    client_to_server: c2s,
                    server_to_client: s2c,
                    closed,
                }),
            });
        }
        // Drop everything but the tombstone.
        self.state = State::NotWs;
        self.dirs = [Reassembler::default(), Reassembler::default()];
    }
}

fn decoder_config(role: Role, deflate: Option<DeflateParams>, opts: &Settings) -> DecoderConfig {
    DecoderConfig {
        role,
        max_frame_size: opts.max_frame_size,
        max_message_size: opts.max_message_size,
        deflate,
    }
}

/// `ip:port`, `[v6]:port`.
pub(crate) fn fmt_addr(a: SocketAddr) -> String {
    a.to_string()
}

pub(crate) fn capture_error(
    direction: Direction,
    time: f64,
    stream_offset: u64,
    code: &'static str,
    message: String,
) -> Box<ConnectionError> {
    Box::new(ConnectionError {
        direction,
        time,
        frame: None,
        stream_offset,
        code,
        close_code: 0,
        rfc_section: if code.starts_with("CAPTURE_HANDSHAKE") {
            "RFC 6455 §4"
        } else {
            ""
        },
        message,
    })
}

fn detect(d: &Detect, syn: bool, last: bool, opts: &CaptureOptions) -> Verdict {
    let started = syn && !d.gapped;
    for side in 0..2 {
        let other = 1 - side;
        let (Some(h), Some(o)) = (d.held.get(side), d.held.get(other)) else {
            continue;
        };
        if h.buf.is_empty() || !is_get_prefix(&h.buf) {
            continue;
        }
        if h.buf.len() < 4 {
            if last {
                break;
            }
            return Verdict::Wait;
        }
        match handshake::parse_request(&h.buf, DEFAULT_MAX_HEAD_SIZE) {
            Ok(Parsed::Complete { value, len }) => {
                if !value
                    .header_list("upgrade")
                    .any(|t| t.eq_ignore_ascii_case("websocket"))
                {
                    return Verdict::NotWs;
                }
                let (resp, resp_err) =
                    match handshake::parse_response(&o.buf, DEFAULT_MAX_HEAD_SIZE) {
                        Ok(Parsed::Complete { value, len }) => (Some((Box::new(value), len)), None),
                        Ok(Parsed::NeedMore(_)) if !last && !o.full() && !h.full() => {
                            return Verdict::Wait
                        }
                        Ok(Parsed::NeedMore(_)) => (None, None),
                        Err(e) => (None, Some(e.to_string())),
                    };
                return Verdict::Handshake {
                    client: side,
                    req: Box::new(value),
                    req_len: len,
                    resp,
                    resp_err,
                };
            }
            Ok(Parsed::NeedMore(_)) if !last && !h.full() => return Verdict::Wait,
            _ if started => return Verdict::NotWs,
            _ => break,
        }
    }
    if started {
        // The stream start is here and no side opened with an upgrade request.
        let any = d
            .held
            .iter()
            .any(|h| !h.buf.is_empty() && !is_get_prefix(&h.buf));
        return if any || last {
            Verdict::NotWs
        } else {
            Verdict::Wait
        };
    }
    for (side, h) in d.held.iter().enumerate() {
        if let Some(hit) = find_frames(&h.buf, None, last, opts.max_frame_size) {
            return Verdict::Resync { side, hit };
        }
    }
    // No credible frame boundary in what a mid-stream WebSocket would long have shown: give
    // up, so that other traffic captured mid-stream (TLS...) does not hold buffers.
    let held: usize = d.held.iter().map(|h| h.buf.len()).sum();
    if last || held >= RESYNC_WINDOW {
        Verdict::NotWs
    } else {
        Verdict::Wait
    }
}

impl State {
    fn data(
        &mut self,
        side: usize,
        offset: u64,
        bytes: &[u8],
        time: f64,
        opts: &Settings,
        events: &mut dyn Emit,
    ) {
        match self {
            State::Detect(d) => {
                if let Some(h) = d.held.get_mut(side) {
                    if h.buf.is_empty() {
                        h.base = offset;
                    }
                    h.push(bytes, time);
                }
            }
            State::Ws(conn) => conn.with_dir(side, opts, events, |d, cx| {
                d.data(offset, bytes, time, cx);
            }),
            State::NotWs => {}
        }
    }

    fn gap(
        &mut self,
        side: usize,
        offset: u64,
        len: u64,
        time: f64,
        opts: &Settings,
        events: &mut dyn Emit,
    ) {
        match self {
            State::Detect(d) => {
                d.gapped = true;
                if d.gaps.len() < 16 {
                    d.gaps.push((side, offset, len, time));
                }
                if let Some(h) = d.held.get_mut(side) {
                    h.reset(offset + len);
                }
            }
            State::Ws(conn) => conn.with_dir(side, opts, events, |d, cx| {
                d.gap(offset, len, time, cx);
            }),
            State::NotWs => {}
        }
    }
}

impl WsDir {
    fn data(&mut self, offset: u64, bytes: &[u8], time: f64, cx: &mut Cx<'_>) {
        // Bytes must continue where this direction stands; anything else (bytes held back
        // while detecting and cut at its cap) is handled as a gap, or trimmed.
        let expected = match &self.mode {
            Mode::Decode(fd) => Some(fd.base + fd.dec.offset()),
            Mode::Resync(h) if !h.buf.is_empty() => Some(h.base + h.buf.len() as u64),
            _ => None,
        };
        let mut offset = offset;
        let mut bytes = bytes;
        if let Some(e) = expected {
            if offset > e {
                self.gap(e, offset - e, time, cx);
            } else if offset < e {
                let skip = usize::try_from(e - offset).unwrap_or(usize::MAX);
                bytes = bytes.get(skip..).unwrap_or_default();
                offset = e;
                if bytes.is_empty() {
                    return;
                }
            }
        }
        match &mut self.mode {
            Mode::Decode(fd) => {
                if !fd.feed(bytes, offset, time, self.direction, cx) {
                    self.mode = Mode::Stopped;
                }
            }
            Mode::Resync(h) => {
                if h.buf.is_empty() {
                    h.base = offset;
                }
                if h.buf.len() + bytes.len() > DETECT_CAP {
                    // Slide: keep the newest bytes (contiguous), at most half the cap before
                    // the new ones.
                    let keep = (DETECT_CAP / 2).saturating_sub(bytes.len());
                    let drop = h.buf.len().saturating_sub(keep);
                    h.buf.drain(..drop);
                    h.base += drop as u64;
                    h.times = h
                        .times
                        .iter()
                        .filter(|(e, _)| *e > drop)
                        .map(|(e, t)| (e - drop, *t))
                        .collect();
                    if bytes.len() > DETECT_CAP / 2 {
                        let cut = bytes.len() - DETECT_CAP / 2;
                        h.reset(offset + cut as u64);
                        bytes = bytes.get(cut..).unwrap_or_default();
                    }
                }
                h.push(bytes, time);
                self.rescan(false, time, cx);
            }
            Mode::Stopped => {}
        }
    }

    fn gap(&mut self, offset: u64, len: u64, time: f64, cx: &mut Cx<'_>) {
        // What was held before the gap is all there will be of that stretch: judge it as a
        // stream end (a run of frames up to the gap is enough).
        self.rescan(true, time, cx);
        cx.events.push_back(CaptureEvent::Error {
            conn: cx.id,
            error: capture_error(
                self.direction,
                time,
                offset,
                "CAPTURE_TCP_GAP",
                format!(
                    "{len} bytes of the {} stream were not captured; decoding resumes at the next frame boundary found",
                    self.direction.name()
                ),
            ),
        });
        match &mut self.mode {
            Mode::Decode(fd) => {
                fd.abandon(time, self.direction, cx);
                if self.deflate.is_some_and(|p| match self.role {
                    Role::Server => !p.client_no_context_takeover,
                    Role::Client => !p.server_no_context_takeover,
                }) {
                    cx.events.push_back(CaptureEvent::Note {
                        conn: cx.id,
                        note: format!(
                            "{}: the compression context was lost in the gap; later compressed messages may not inflate",
                            self.direction.name()
                        ),
                    });
                }
                let mut h = Held::default();
                h.reset(offset + len);
                self.mode = Mode::Resync(h);
            }
            Mode::Resync(h) => h.reset(offset + len),
            Mode::Stopped => {}
        }
    }

    /// In resync mode, looks for a frame boundary and switches to decoding there.
    fn rescan(&mut self, last: bool, _time: f64, cx: &mut Cx<'_>) {
        let Mode::Resync(h) = &self.mode else { return };
        let Some(hit) = find_frames(&h.buf, Some(self.role), last, cx.opts.max_frame_size) else {
            return;
        };
        let at = h.base + hit.offset as u64;
        let Mode::Resync(h) = std::mem::replace(&mut self.mode, Mode::Stopped) else {
            return;
        };
        cx.events.push_back(CaptureEvent::Note {
            conn: cx.id,
            note: format!(
                "resynchronised at stream offset {at} ({})",
                self.direction.name()
            ),
        });
        let mut fd = Box::new(FrameDecoder::new(
            decoder_config(self.role, self.deflate, cx.opts),
            at,
        ));
        let mut ok = true;
        for (off, bytes, t) in h.pieces(hit.offset) {
            if ok {
                ok = fd.feed(bytes, off, t, self.direction, cx);
            }
        }
        self.mode = if ok { Mode::Decode(fd) } else { Mode::Stopped };
    }

    /// End of stream: a frame in progress is reported as cut.
    fn end(&mut self, time: f64, cx: &mut Cx<'_>) {
        if let Mode::Decode(fd) = &mut self.mode {
            if let Some(at) = fd.abandon(time, self.direction, cx) {
                cx.events.push_back(CaptureEvent::Note {
                    conn: cx.id,
                    note: format!(
                        "the capture ends inside a frame at stream offset {at} ({})",
                        self.direction.name()
                    ),
                });
            } else if fd.hdr_len > 0 {
                cx.events.push_back(CaptureEvent::Note {
                    conn: cx.id,
                    note: format!(
                        "the capture ends inside a frame header at stream offset {} ({})",
                        fd.hdr_start,
                        self.direction.name()
                    ),
                });
            }
        }
    }
}
