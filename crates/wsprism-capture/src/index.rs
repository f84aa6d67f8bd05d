//! A paged view of a capture: [`CaptureIndex::build`] reads the capture once (the streaming
//! reader, records on) and keeps, per connection, its metadata and one small fixed-size record
//! per frame and per message, with their kept bytes (`max_bytes` of each, as in the report) in
//! an arena of byte chunks. Queries rebuild the report's own [`Frame`] and [`Message`] values
//! for a window, so a caller gets exactly what [`crate::inspect_capture`] gives for those
//! indices without ever holding millions of them.
//!
//! Memory: a frame costs 56 bytes plus its kept wire bytes (a frame's unmasked payload is
//! rebuilt from its wire bytes; only the part past `max_bytes` of wire bytes is stored), a
//! message 56 bytes plus its kept payload (none when it is the payload of its only, uncompressed
//! frame); both are at most the capture's own bytes (plus the
//! inflated part of compressed messages). Records and arena grow in chunks (no doubling copy)
//! with `try_reserve`: running out of memory is an [`IndexError`], not an abort.

use crate::report::{
    CaptureReport, Connection, ConnectionError, Direction, FileError, Format, Frame, Hex, MaskKey,
    Message, MessageKind,
};
use crate::ws::{Emit, FrameView, MessageView};
use crate::{CaptureError, CaptureEvent, CaptureOptions, CaptureReader, ReportBuilder};
use serde::{Deserialize, Serialize};

/// Records per chunk.
const CHUNK: usize = 1 << 14;
/// Arena chunk size (a larger item gets a chunk of its own).
const ARENA_CHUNK: usize = 1 << 20;

/// Why an index could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// The input is not a capture (see [`CaptureError`]).
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// Memory ran out while indexing.
    #[error("out of memory while indexing the capture ({0})")]
    OutOfMemory(&'static str),
    /// A record does not fit the index's compact form (a kept byte string over 4 GiB, more
    /// than 2^32 messages in a connection).
    #[error("the capture is too large to index ({0})")]
    TooLarge(&'static str),
}

impl IndexError {
    /// The capture error's code, `CAPTURE_OUT_OF_MEMORY` or `CAPTURE_TOO_LARGE`.
    pub fn code(&self) -> &'static str {
        match self {
            IndexError::Capture(e) => e.code(),
            IndexError::OutOfMemory(_) => "CAPTURE_OUT_OF_MEMORY",
            IndexError::TooLarge(_) => "CAPTURE_TOO_LARGE",
        }
    }
}

fn oom<T>(_: T) -> IndexError {
    IndexError::OutOfMemory("try_reserve failed")
}

fn u32_of(n: usize, what: &'static str) -> Result<u32, IndexError> {
    u32::try_from(n).map_err(|_| IndexError::TooLarge(what))
}

/// A growable sequence stored in fixed-size chunks.
#[derive(Debug)]
struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    fn push(&mut self, v: T) -> Result<(), IndexError> {
        if self.chunks.last().is_none_or(|c| c.len() == CHUNK) {
            let mut c = Vec::new();
            c.try_reserve_exact(CHUNK).map_err(oom)?;
            self.chunks.try_reserve(1).map_err(oom)?;
            self.chunks.push(c);
        }
        if let Some(c) = self.chunks.last_mut() {
            c.push(v);
            self.len += 1;
        }
        Ok(())
    }

    fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i / CHUNK)?.get_mut(i % CHUNK)
    }

    fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

/// Bytes in chunks; an item never spans two chunks.
#[derive(Debug, Default)]
struct Arena {
    chunks: Vec<Vec<u8>>,
}

impl Arena {
    /// Appends the parts as one contiguous item; returns (chunk, offset).
    fn put(&mut self, parts: &[&[u8]]) -> Result<(u32, u32), IndexError> {
        let n: usize = parts.iter().map(|p| p.len()).sum();
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= n);
        if !fits {
            let mut c = Vec::new();
            c.try_reserve_exact(n.max(ARENA_CHUNK)).map_err(oom)?;
            self.chunks.try_reserve(1).map_err(oom)?;
            self.chunks.push(c);
        }
        let chunk = u32_of(self.chunks.len() - 1, "arena chunks")?;
        let Some(c) = self.chunks.last_mut() else {
            return Err(IndexError::OutOfMemory("arena"));
        };
        let off = u32_of(c.len(), "arena chunk")?;
        for p in parts {
            c.extend_from_slice(p);
        }
        Ok((chunk, off))
    }

    fn get(&self, chunk: u32, off: u32, len: usize) -> &[u8] {
        let off = off as usize;
        self.chunks
            .get(chunk as usize)
            .and_then(|c| c.get(off..off + len))
            .unwrap_or_default()
    }
}

const F_FIN: u16 = 1;
const F_RSV1: u16 = 2;
const F_RSV2: u16 = 4;
const F_RSV3: u16 = 8;
const F_MASKED: u16 = 16;
const F_KEY: u16 = 32;
const F_TRUNCATED: u16 = 64;
const F_S2C: u16 = 128;
const F_ERROR: u16 = 256;
/// The payload is stored whole after the wire bytes (not rebuilt from them).
const F_PAYLOAD_WHOLE: u16 = 512;

/// One frame: 56 bytes.
#[derive(Debug, Clone, Copy)]
struct FrameRec {
    time: f64,
    stream_offset: u64,
    payload_len: u64,
    chunk: u32,
    off: u32,
    raw_len: u32,
    /// Payload bytes stored after the wire bytes (the part past them, or all of it).
    extra_len: u32,
    key: [u8; 4],
    /// 1 + index of the (last) message that ends with this frame; 0: none.
    msg: u32,
    header_len: u16,
    flags: u16,
    opcode: u8,
}

const M_S2C: u8 = 1;
const M_COMPRESSED: u8 = 2;
const M_TRUNCATED: u8 = 4;
const M_FRAMES: u8 = 8;
const M_ERROR: u8 = 16;
const M_CLOSE_CODE: u8 = 32;
/// The data is the payload of the message's (only) frame, not stored again.
const M_DATA_FRAME: u8 = 64;

/// Where a message's text (or close reason) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextAt {
    None,
    /// The data from this offset (the text is a prefix of the rest).
    Data(u8),
    /// Stored after the data.
    Stored,
}

/// One message: 56 bytes.
#[derive(Debug, Clone, Copy)]
struct MsgRec {
    time: f64,
    length: u64,
    first: u64,
    last: u64,
    chunk: u32,
    off: u32,
    data_len: u32,
    text_len: u32,
    reason_len: u32,
    close_code: u16,
    kind: MessageKind,
    flags: u8,
    text: TextAt,
    reason: TextAt,
}

/// One connection: the report's [`Connection`] without frames and messages, and the records.
#[derive(Debug)]
struct ConnIndex {
    meta: Connection,
    frames: Chunked<FrameRec>,
    messages: Chunked<MsgRec>,
    counts: Counts,
    /// `end` as the report builder sets it (latest frame, then the close).
    end: f64,
}

/// Per-connection counts, which the summary adds to each connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Frames in the connection.
    pub frame_count: u64,
    /// Messages in the connection.
    pub message_count: u64,
    /// Frames sent by the client.
    pub client_frames: u64,
    /// Messages sent by the client.
    pub client_messages: u64,
    /// Frames with `truncated: true`.
    pub truncated_frames: u64,
}

/// A connection in [`CaptureIndex::summary`]: the report's connection (with `frames` and
/// `messages` empty) and its counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectionSummary {
    /// The connection, without frames and messages.
    #[serde(flatten)]
    pub connection: Connection,
    /// Its counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// [`CaptureIndex::summary`]: the report with [`ConnectionSummary`] connections.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaptureSummary {
    /// The container format.
    pub format: Format,
    /// Link types.
    pub link_types: Vec<String>,
    /// Records read.
    pub packets: u64,
    /// Size of the input.
    pub bytes: u64,
    /// Packets without a TCP segment.
    pub skipped_packets: u64,
    /// TCP connections that were not WebSocket.
    pub other_tcp_connections: u64,
    /// The connections, with counts instead of frames and messages.
    pub connections: Vec<ConnectionSummary>,
    /// File-level problems.
    pub errors: Vec<FileError>,
}

/// Which way, for a [`Filter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectionFilter {
    /// Client to server only.
    ClientToServer,
    /// Server to client only.
    ServerToClient,
}

/// Data or control, for a [`Filter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindFilter {
    /// Frames with opcode < 8 (text, binary, continuation); text and binary messages.
    Data,
    /// Frames with opcode >= 8; ping, pong and close messages.
    Control,
}

/// Which frames or messages a window lists; every condition set must hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Filter {
    /// Only this direction.
    pub direction: Option<DirectionFilter>,
    /// Only data or only control.
    pub kind: Option<KindFilter>,
    /// Only compressed ones (RSV1 frames; messages sent compressed).
    pub compressed: bool,
    /// Only those with an error (frames an error names; messages with such a frame).
    pub errors: bool,
}

impl Filter {
    /// True when nothing is filtered out.
    pub fn is_all(&self) -> bool {
        *self == Filter::default()
    }

    fn dir_ok(&self, s2c: bool) -> bool {
        match self.direction {
            None => true,
            Some(DirectionFilter::ClientToServer) => !s2c,
            Some(DirectionFilter::ServerToClient) => s2c,
        }
    }

    fn frame(&self, f: &FrameRec) -> bool {
        self.dir_ok(f.flags & F_S2C != 0)
            && match self.kind {
                None => true,
                Some(KindFilter::Data) => f.opcode < 8,
                Some(KindFilter::Control) => f.opcode >= 8,
            }
            && (!self.compressed || f.flags & F_RSV1 != 0)
            && (!self.errors || f.flags & F_ERROR != 0)
    }

    fn message(&self, m: &MsgRec) -> bool {
        let data = matches!(m.kind, MessageKind::Text | MessageKind::Binary);
        self.dir_ok(m.flags & M_S2C != 0)
            && match self.kind {
                None => true,
                Some(KindFilter::Data) => data,
                Some(KindFilter::Control) => !data,
            }
            && (!self.compressed || m.flags & M_COMPRESSED != 0)
            && (!self.errors || m.flags & M_ERROR != 0)
    }
}

/// A window of frames: `frames` are the filtered list's items `start..start + frames.len()`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameWindow {
    /// Items in the filtered list.
    pub total: u64,
    /// Position of the first item in the filtered list.
    pub start: u64,
    /// The frames, as in the report.
    pub frames: Vec<Frame>,
    /// For each frame, the index of the (last) message that ends with it, if any.
    pub message_ends: Vec<Option<u64>>,
}

/// A window of messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageWindow {
    /// Items in the filtered list.
    pub total: u64,
    /// Position of the first item in the filtered list.
    pub start: u64,
    /// The messages, as in the report.
    pub messages: Vec<Message>,
}

/// The last filtered list asked for, kept for the next window of the same list.
#[derive(Debug)]
struct Cached {
    conn: usize,
    messages: bool,
    filter: Filter,
    list: Vec<u32>,
}

/// A capture read once, queried a window at a time (module docs).
#[derive(Debug)]
pub struct CaptureIndex {
    head: CaptureReport,
    conns: Vec<ConnIndex>,
    arena: Arena,
    /// Opcode names as the reader gave them.
    names: [&'static str; 16],
    cache: Option<Cached>,
}

/// Whether `plain` is `wire` (as long, the payload from its start) unmasked with `key`.
fn unmasked_is(plain: &[u8], wire: &[u8], key: [u8; 4]) -> bool {
    if plain.len() != wire.len() {
        return false;
    }
    let k = u32::from_ne_bytes(key);
    let word = |b: &[u8]| <[u8; 4]>::try_from(b).map_or(0, u32::from_ne_bytes);
    let (p4, w4) = (plain.chunks_exact(4), wire.chunks_exact(4));
    let tails = p4
        .remainder()
        .iter()
        .zip(w4.remainder())
        .zip(key)
        .all(|((p, w), k)| *p == w ^ k);
    tails && p4.zip(w4).all(|(p, w)| word(p) == word(w) ^ k)
}

/// Unmasks `bytes` (the payload from its start) into `out`.
fn unmask_into(out: &mut Vec<u8>, bytes: &[u8], key: Option<[u8; 4]>) {
    out.extend_from_slice(bytes);
    if let Some(k) = key {
        for (i, b) in out.iter_mut().enumerate() {
            *b ^= k.get(i % 4).copied().unwrap_or(0);
        }
    }
}

/// The reader's events, straight into the index: frames and messages as borrowed views (no
/// record is built per frame), everything else into the report metadata.
struct IndexSink<'a> {
    ix: &'a mut CaptureIndex,
    meta: ReportBuilder,
    failed: Option<IndexError>,
}

impl IndexSink<'_> {
    fn done(&mut self, r: Result<(), IndexError>) {
        if let Err(e) = r {
            self.failed = Some(e);
        }
    }
}

impl Emit for IndexSink<'_> {
    fn push_back(&mut self, ev: CaptureEvent) {
        if self.failed.is_none() {
            let r = self.ix.add_event(ev, &mut self.meta);
            self.done(r);
        }
    }

    fn frame(&mut self, conn: u64, f: &FrameView<'_>) {
        if self.failed.is_none() {
            let r = self.ix.add_frame(conn, f);
            self.done(r);
        }
    }

    fn message(&mut self, conn: u64, m: &MessageView<'_>) {
        if self.failed.is_none() {
            let r = self.ix.add_message(conn, m);
            self.done(r);
        }
    }
}

impl CaptureIndex {
    /// Reads the capture (pcap, pcapng or HAR) once and indexes it. Fails when the input is not
    /// a capture (as [`crate::inspect_capture`]) or memory runs out.
    pub fn build(bytes: &[u8], opts: &CaptureOptions) -> Result<Self, IndexError> {
        let mut reader = CaptureReader::new(bytes, *opts)?;
        let mut ix = CaptureIndex {
            head: ReportBuilder::new().finish(crate::Summary::default()),
            conns: Vec::new(),
            arena: Arena::default(),
            names: [""; 16],
            cache: None,
        };
        let mut sink = IndexSink {
            ix: &mut ix,
            meta: ReportBuilder::new(),
            failed: None,
        };
        reader.for_each_sink(&mut sink);
        let IndexSink { meta, failed, .. } = sink;
        if let Some(e) = failed {
            return Err(e);
        }
        let mut summary = reader.summary();
        summary.bytes = bytes.len() as u64;
        let mut report = meta.finish(summary);
        for (c, m) in ix.conns.iter_mut().zip(report.connections.drain(..)) {
            c.meta = m;
            c.meta.end = c.end;
            c.mark_errors();
        }
        ix.head = report;
        Ok(ix)
    }

    fn add_event(&mut self, ev: CaptureEvent, meta: &mut ReportBuilder) -> Result<(), IndexError> {
        match ev {
            CaptureEvent::Frame { conn, frame } => self.add_frame(conn, &frame.view()),
            CaptureEvent::Message { conn, message } => self.add_message(conn, &message.view()),
            CaptureEvent::Connection(ref info) => {
                let (id, end) = (info.id, info.start);
                meta.push(ev);
                self.conns.try_reserve(1).map_err(oom).map(|()| {
                    self.conns.push(ConnIndex {
                        meta: placeholder(id),
                        frames: Chunked::default(),
                        messages: Chunked::default(),
                        counts: Counts::default(),
                        end,
                    });
                })
            }
            other => {
                if let CaptureEvent::Closed { conn, end, .. } = &other {
                    if let Some(c) = self.conn_mut(*conn) {
                        c.end = *end;
                    }
                }
                meta.push(other);
                Ok(())
            }
        }
    }

    fn conn_mut(&mut self, id: u64) -> Option<&mut ConnIndex> {
        self.conns.iter_mut().rev().find(|c| c.meta.id == id)
    }

    fn add_frame(&mut self, conn: u64, f: &FrameView<'_>) -> Result<(), IndexError> {
        if let Some(n) = self.names.get_mut(usize::from(f.opcode & 15)) {
            *n = f.opcode_name;
        }
        let (raw, pay) = (f.raw, f.payload);
        // The payload, rebuilt from the wire bytes past the header: store only what follows.
        let on_wire = raw.get(f.header_len..).unwrap_or_default();
        let rebuilt = pay.len() >= on_wire.len()
            && match f.masking_key {
                None => pay.starts_with(on_wire),
                Some(k) => unmasked_is(pay.get(..on_wire.len()).unwrap_or_default(), on_wire, k),
            };
        let (extra, whole) = if rebuilt {
            (pay.get(on_wire.len()..).unwrap_or_default(), false)
        } else {
            (pay, true)
        };
        let (chunk, off) = self.arena.put(&[raw, extra])?;
        let mut flags = 0;
        for (on, bit) in [
            (f.fin, F_FIN),
            (f.rsv1, F_RSV1),
            (f.rsv2, F_RSV2),
            (f.rsv3, F_RSV3),
            (f.masked, F_MASKED),
            (f.masking_key.is_some(), F_KEY),
            (f.truncated, F_TRUNCATED),
            (f.direction == Direction::ServerToClient, F_S2C),
            (whole, F_PAYLOAD_WHOLE),
        ] {
            if on {
                flags |= bit;
            }
        }
        let rec = FrameRec {
            time: f.time,
            stream_offset: f.stream_offset,
            payload_len: f.payload_len,
            chunk,
            off,
            raw_len: u32_of(raw.len(), "frame bytes")?,
            extra_len: u32_of(extra.len(), "frame bytes")?,
            key: f.masking_key.unwrap_or([0; 4]),
            msg: 0,
            header_len: u16::try_from(f.header_len).map_err(|_| IndexError::TooLarge("header"))?,
            flags,
            opcode: f.opcode,
        };
        let Some(c) = self.conn_mut(conn) else {
            return Ok(());
        };
        c.frames.push(rec)?;
        c.end = c.end.max(f.time);
        c.counts.frame_count += 1;
        c.counts.client_frames += u64::from(f.direction == Direction::ClientToServer);
        c.counts.truncated_frames += u64::from(f.truncated);
        Ok(())
    }

    fn add_message(&mut self, conn: u64, m: &MessageView<'_>) -> Result<(), IndexError> {
        let data = m.data;
        let place = |s: Option<&[u8]>, from: u8| -> TextAt {
            match s {
                None => TextAt::None,
                Some(t) => {
                    if data
                        .get(usize::from(from)..)
                        .is_some_and(|d| d.starts_with(t))
                    {
                        TextAt::Data(from)
                    } else {
                        TextAt::Stored
                    }
                }
            }
        };
        let text = match place(m.text, 0) {
            TextAt::Stored => place(m.text, 2),
            t => t,
        };
        let reason = match place(m.close_reason, 2) {
            TextAt::Stored => place(m.close_reason, 0),
            t => t,
        };
        fn stored(at: TextAt, s: Option<&[u8]>) -> &[u8] {
            match (at, s) {
                (TextAt::Stored, Some(t)) => t,
                _ => &[],
            }
        }
        let t_bytes = stored(text, m.text);
        let r_bytes = stored(reason, m.close_reason);
        // A message of one uncompressed frame usually has that frame's payload: kept once.
        let from_frame = match m.frames {
            Some([a, b]) if a == b && !m.compressed && !data.is_empty() => self
                .conns
                .iter()
                .rev()
                .find(|c| c.meta.id == conn)
                .and_then(|c| c.frames.get(usize::try_from(b).ok()?))
                .is_some_and(|f| self.payload_is(f, data)),
            _ => false,
        };
        let own: &[u8] = if from_frame { &[] } else { data };
        let (chunk, off) = self.arena.put(&[own, t_bytes, r_bytes])?;
        let mut flags = 0;
        for (on, bit) in [
            (m.direction == Direction::ServerToClient, M_S2C),
            (m.compressed, M_COMPRESSED),
            (m.truncated, M_TRUNCATED),
            (m.frames.is_some(), M_FRAMES),
            (m.close_code.is_some(), M_CLOSE_CODE),
            (from_frame, M_DATA_FRAME),
        ] {
            if on {
                flags |= bit;
            }
        }
        let [first, last] = m.frames.unwrap_or([0, 0]);
        let rec = MsgRec {
            time: m.time,
            length: m.length,
            first,
            last,
            chunk,
            off,
            data_len: u32_of(data.len(), "message bytes")?,
            text_len: u32_of(m.text.map_or(0, <[u8]>::len), "message text")?,
            reason_len: u32_of(m.close_reason.map_or(0, <[u8]>::len), "close reason")?,
            close_code: m.close_code.unwrap_or(0),
            kind: m.kind,
            flags,
            text,
            reason,
        };
        let Some(c) = self.conn_mut(conn) else {
            return Ok(());
        };
        let idx = c.messages.len;
        c.messages.push(rec)?;
        c.counts.message_count += 1;
        c.counts.client_messages += u64::from(m.direction == Direction::ClientToServer);
        if m.frames.is_some() {
            let tag = u32_of(idx + 1, "messages")?;
            if let Some(f) = usize::try_from(last).ok().and_then(|l| c.frames.get_mut(l)) {
                f.msg = tag;
            }
        }
        Ok(())
    }

    /// The report without frames and messages, with each connection's counts.
    pub fn summary(&self) -> CaptureSummary {
        let h = &self.head;
        CaptureSummary {
            format: h.format,
            link_types: h.link_types.clone(),
            packets: h.packets,
            bytes: h.bytes,
            skipped_packets: h.skipped_packets,
            other_tcp_connections: h.other_tcp_connections,
            connections: self
                .conns
                .iter()
                .map(|c| ConnectionSummary {
                    connection: c.meta.clone(),
                    counts: c.counts,
                })
                .collect(),
            errors: h.errors.clone(),
        }
    }

    /// Number of connections.
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// The `i`-th connection's metadata (frames and messages empty) and counts.
    pub fn connection(&self, i: usize) -> Option<ConnectionSummary> {
        self.conns.get(i).map(|c| ConnectionSummary {
            connection: c.meta.clone(),
            counts: c.counts,
        })
    }

    /// Frame `i` of connection `conn` (position in the report's `connections`), as the
    /// report has it.
    pub fn frame(&self, conn: usize, i: u64) -> Option<Frame> {
        let c = self.conns.get(conn)?;
        let i = usize::try_from(i).ok()?;
        let r = c.frames.get(i)?;
        Some(self.make_frame(i, r))
    }

    /// Message `i` of connection `conn`, as the report has it.
    pub fn message(&self, conn: usize, i: u64) -> Option<Message> {
        let c = self.conns.get(conn)?;
        let i = usize::try_from(i).ok()?;
        let r = c.messages.get(i)?;
        Some(self.make_message(c, i, r))
    }

    /// Positions of the filtered list (cached for the next call with the same arguments).
    fn filtered(&mut self, conn: usize, messages: bool, filter: &Filter) -> &[u32] {
        let hit = self
            .cache
            .as_ref()
            .is_some_and(|c| c.conn == conn && c.messages == messages && c.filter == *filter);
        if !hit {
            let mut list = Vec::new();
            if let Some(c) = self.conns.get(conn) {
                if messages {
                    for (i, m) in c.messages.iter().enumerate() {
                        if filter.message(m) {
                            list.push(i as u32);
                        }
                    }
                } else {
                    for (i, f) in c.frames.iter().enumerate() {
                        if filter.frame(f) {
                            list.push(i as u32);
                        }
                    }
                }
            }
            self.cache = Some(Cached {
                conn,
                messages,
                filter: *filter,
                list,
            });
        }
        self.cache.as_ref().map_or(&[], |c| c.list.as_slice())
    }

    /// Positions `start..start + count` of the filtered list of `conn`'s frames or messages
    /// (all of them with [`Filter::default`]), and the list's length.
    fn window(
        &mut self,
        conn: usize,
        messages: bool,
        start: u64,
        count: u64,
        filter: &Filter,
    ) -> (u64, Vec<usize>) {
        let Some(c) = self.conns.get(conn) else {
            return (0, Vec::new());
        };
        let all = if messages {
            c.messages.len
        } else {
            c.frames.len
        };
        let (total, positions) = if filter.is_all() {
            let s = usize::try_from(start).unwrap_or(usize::MAX).min(all);
            let n = usize::try_from(count).unwrap_or(usize::MAX).min(all - s);
            (all, (s..s + n).collect())
        } else {
            let list = self.filtered(conn, messages, filter);
            let s = usize::try_from(start).unwrap_or(usize::MAX).min(list.len());
            let n = usize::try_from(count)
                .unwrap_or(usize::MAX)
                .min(list.len() - s);
            let pos = list
                .get(s..s + n)
                .unwrap_or_default()
                .iter()
                .map(|&i| i as usize)
                .collect();
            (list.len(), pos)
        };
        (total as u64, positions)
    }

    /// Frames `start..start + count` of the filtered list of connection `conn`'s frames
    /// (out of range: fewer or none).
    pub fn frames(&mut self, conn: usize, start: u64, count: u64, filter: &Filter) -> FrameWindow {
        let (total, pos) = self.window(conn, false, start, count, filter);
        let mut frames = Vec::with_capacity(pos.len());
        let mut message_ends = Vec::with_capacity(pos.len());
        if let Some(c) = self.conns.get(conn) {
            for i in pos {
                if let Some(r) = c.frames.get(i) {
                    frames.push(self.make_frame(i, r));
                    message_ends.push(r.msg.checked_sub(1).map(u64::from));
                }
            }
        }
        FrameWindow {
            total,
            start,
            frames,
            message_ends,
        }
    }

    /// Messages `start..start + count` of the filtered list of connection `conn`'s messages.
    pub fn messages(
        &mut self,
        conn: usize,
        start: u64,
        count: u64,
        filter: &Filter,
    ) -> MessageWindow {
        let (total, pos) = self.window(conn, true, start, count, filter);
        let mut messages = Vec::with_capacity(pos.len());
        if let Some(c) = self.conns.get(conn) {
            for i in pos {
                if let Some(r) = c.messages.get(i) {
                    messages.push(self.make_message(c, i, r));
                }
            }
        }
        MessageWindow {
            total,
            start,
            messages,
        }
    }

    /// A frame's kept payload: rebuilt from its wire bytes (unmasked) and what follows them.
    fn frame_payload(&self, r: &FrameRec) -> Vec<u8> {
        let raw_len = r.raw_len as usize;
        let stored = self
            .arena
            .get(r.chunk, r.off, raw_len + r.extra_len as usize);
        let raw = stored.get(..raw_len).unwrap_or_default();
        let extra = stored.get(raw_len..).unwrap_or_default();
        if r.flags & F_PAYLOAD_WHOLE != 0 {
            return extra.to_vec();
        }
        let on_wire = raw.get(usize::from(r.header_len)..).unwrap_or_default();
        let mut p = Vec::with_capacity(on_wire.len() + extra.len());
        unmask_into(&mut p, on_wire, (r.flags & F_KEY != 0).then_some(r.key));
        p.extend_from_slice(extra);
        p
    }

    /// True if `data` is exactly the kept payload of `r` (compared in place).
    fn payload_is(&self, r: &FrameRec, data: &[u8]) -> bool {
        let raw_len = r.raw_len as usize;
        let stored = self
            .arena
            .get(r.chunk, r.off, raw_len + r.extra_len as usize);
        let raw = stored.get(..raw_len).unwrap_or_default();
        let extra = stored.get(raw_len..).unwrap_or_default();
        if r.flags & F_PAYLOAD_WHOLE != 0 {
            return extra == data;
        }
        let on_wire = raw.get(usize::from(r.header_len)..).unwrap_or_default();
        if on_wire.len() + extra.len() != data.len() {
            return false;
        }
        let (head, tail) = data.split_at(on_wire.len());
        let same = if r.flags & F_KEY != 0 {
            unmasked_is(head, on_wire, r.key)
        } else {
            head == on_wire
        };
        same && tail == extra
    }

    fn make_frame(&self, i: usize, r: &FrameRec) -> Frame {
        let raw_len = r.raw_len as usize;
        let stored = self
            .arena
            .get(r.chunk, r.off, raw_len + r.extra_len as usize);
        let raw = stored.get(..raw_len).unwrap_or_default();
        let key = (r.flags & F_KEY != 0).then_some(r.key);
        let payload = self.frame_payload(r);
        let flag = |b: u16| r.flags & b != 0;
        Frame {
            index: i as u64,
            direction: if flag(F_S2C) {
                Direction::ServerToClient
            } else {
                Direction::ClientToServer
            },
            time: r.time,
            stream_offset: r.stream_offset,
            fin: flag(F_FIN),
            rsv1: flag(F_RSV1),
            rsv2: flag(F_RSV2),
            rsv3: flag(F_RSV3),
            opcode: r.opcode,
            opcode_name: self
                .names
                .get(usize::from(r.opcode & 15))
                .copied()
                .unwrap_or(""),
            masked: flag(F_MASKED),
            masking_key: key.map(MaskKey),
            header_len: usize::from(r.header_len),
            payload_len: r.payload_len,
            raw_hex: Hex(raw.to_vec()),
            payload_hex: Hex(payload),
            truncated: flag(F_TRUNCATED),
        }
    }

    fn make_message(&self, c: &ConnIndex, i: usize, r: &MsgRec) -> Message {
        let data_len = r.data_len as usize;
        let from_frame = r.flags & M_DATA_FRAME != 0;
        let stored_len = |at: TextAt, len: u32| {
            if at == TextAt::Stored {
                len as usize
            } else {
                0
            }
        };
        let own_len = if from_frame { 0 } else { data_len };
        let text_stored_len = stored_len(r.text, r.text_len);
        let all = self.arena.get(
            r.chunk,
            r.off,
            own_len + text_stored_len + stored_len(r.reason, r.reason_len),
        );
        let data: std::borrow::Cow<'_, [u8]> = if from_frame {
            let f = usize::try_from(r.last).ok().and_then(|l| c.frames.get(l));
            let mut p = f.map(|f| self.frame_payload(f)).unwrap_or_default();
            p.truncate(data_len);
            p.into()
        } else {
            all.get(..data_len).unwrap_or_default().into()
        };
        let text_stored = all.get(own_len..).unwrap_or_default();
        let reason_stored = text_stored.get(text_stored_len..).unwrap_or_default();
        let get = |at: TextAt, len: u32, stored: &[u8]| -> Option<String> {
            let len = len as usize;
            let b = match at {
                TextAt::None => return None,
                TextAt::Data(from) => {
                    let from = usize::from(from);
                    data.get(from..from + len).unwrap_or_default()
                }
                TextAt::Stored => stored.get(..len).unwrap_or_default(),
            };
            Some(String::from_utf8_lossy(b).into_owned())
        };
        let text = get(r.text, r.text_len, text_stored);
        let close_reason = get(r.reason, r.reason_len, reason_stored);
        let flag = |b: u8| r.flags & b != 0;
        Message {
            index: i as u64,
            direction: if flag(M_S2C) {
                Direction::ServerToClient
            } else {
                Direction::ClientToServer
            },
            time: r.time,
            kind: r.kind,
            length: r.length,
            compressed: flag(M_COMPRESSED),
            frames: flag(M_FRAMES).then_some([r.first, r.last]),
            text,
            data_hex: Hex(data.into_owned()),
            truncated: flag(M_TRUNCATED),
            close_code: flag(M_CLOSE_CODE).then_some(r.close_code),
            close_reason,
        }
    }

    /// Errors of connection `conn` that name frame `i`.
    pub fn frame_errors(&self, conn: usize, i: u64) -> Vec<ConnectionError> {
        self.conns.get(conn).map_or_else(Vec::new, |c| {
            c.meta
                .errors
                .iter()
                .filter(|e| e.frame == Some(i))
                .cloned()
                .collect()
        })
    }
}

impl ConnIndex {
    /// Flags the frames that errors name, and the messages holding such a frame.
    fn mark_errors(&mut self) {
        let mut any = false;
        for e in &self.meta.errors {
            if let Some(f) = e
                .frame
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| self.frames.get_mut(i))
            {
                f.flags |= F_ERROR;
                any = true;
            }
        }
        if !any {
            return;
        }
        let frames = &self.frames;
        for chunk in &mut self.messages.chunks {
            for m in chunk.iter_mut() {
                if m.flags & M_FRAMES == 0 {
                    continue;
                }
                // Only the message's own frames: the other direction's frames interleave.
                let s2c = m.flags & M_S2C != 0;
                let hit = (m.first..=m.last).any(|i| {
                    usize::try_from(i)
                        .ok()
                        .and_then(|i| frames.get(i))
                        .is_some_and(|f| f.flags & F_ERROR != 0 && (f.flags & F_S2C != 0) == s2c)
                });
                if hit {
                    m.flags |= M_ERROR;
                }
            }
        }
    }
}

fn placeholder(id: u64) -> Connection {
    Connection {
        id,
        client: String::new(),
        server: String::new(),
        start: 0.0,
        end: 0.0,
        handshake_seen: false,
        handshake: None,
        notes: Vec::new(),
        tcp: crate::report::TcpReport::default(),
        frames: Vec::new(),
        messages: Vec::new(),
        errors: Vec::new(),
    }
}
