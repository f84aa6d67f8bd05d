//! # wsprism-capture
//!
//! pcap, pcapng and HAR files → WebSocket conversations. TCP is reassembled per direction
//! (out-of-order segments, retransmissions, overlaps, sequence wrap, gaps), the HTTP upgrade is
//! found on any port, and every frame of both directions goes through the `wsprism` engine
//! (client→server frames must be masked; permessage-deflate as negotiated). Captures that start
//! mid-connection are decoded from the first credible frame boundary.
//!
//! The ways in:
//!
//! - [`CaptureReader`]: streaming, [`CaptureEvent`]s as the capture is read, memory bounded by
//!   the open connections (not the file size);
//! - [`inspect_capture`]: the whole [`CaptureReport`] of a capture in memory (the shape of
//!   `docs/capture.md`, serialized with serde); [`inspect_capture_json`], the same as JSON text
//!   with a cap on its length (what the JS bindings return);
//! - [`CaptureIndex`]: a capture read once and queried a window of frames or messages at a
//!   time (the same values as the report, a compact record each in memory).
//!
//! Synthetic captures for tests and benchmarks come from the `synth` module, behind the cargo
//! feature of that name (off by default):
//!
//! ```
//! use wsprism_capture::{inspect_capture, synth, CaptureOptions};
//! // A synthetic capture: handshake, then "Hello" from the client, echoed by the server.
//! let mut conv = synth::Conversation::new(synth::Endpoints::v4(), false);
//! conv.message(synth::Dir::ClientToServer, 1, b"Hello");
//! conv.message(synth::Dir::ServerToClient, 1, b"Hello");
//! let pcap = synth::write_pcap(&conv.finish(), synth::Link::Ethernet);
//! let report = inspect_capture(&pcap, &CaptureOptions::default()).unwrap();
//! let c = &report.connections[0];
//! assert!(c.handshake_seen);
//! assert_eq!(c.messages[0].text.as_deref(), Some("Hello"));
//! ```

#![deny(unsafe_code)]
#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)
)]

mod har;
pub mod index;
mod json;
pub mod link;
mod reader;
pub mod report;
#[cfg(feature = "synth")]
pub mod synth;
pub mod tcp;
mod ws;

pub use index::CaptureIndex;
pub use json::{inspect_capture_json, MAX_JS_STRING};
pub use reader::CaptureReader;
pub use report::{
    CaptureReport, Connection, ConnectionError, Direction, FileError, Format, Frame, Handshake,
    Hex, Message, MessageKind, TcpReport,
};

/// What to report, and the decoder's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct CaptureOptions {
    /// How many bytes of each frame (`raw_hex`, `payload_hex`) and message (`text`,
    /// `data_hex`) are kept; `None` keeps everything. Default 4096.
    pub max_bytes: Option<usize>,
    /// Largest frame payload the decoder accepts (default: the engine's, 16 MiB).
    pub max_frame_size: u64,
    /// Largest message the decoder accepts (default: the engine's, 64 MiB).
    pub max_message_size: u64,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        Self {
            max_bytes: Some(4096),
            max_frame_size: wsprism::decoder::DEFAULT_MAX_FRAME_SIZE,
            max_message_size: wsprism::decoder::DEFAULT_MAX_MESSAGE_SIZE,
        }
    }
}

/// Why a capture could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// Not pcap, pcapng or HAR.
    #[error("not a pcap, pcapng or HAR file")]
    UnsupportedFormat,
    /// The file is too short to hold its own header.
    #[error("truncated capture header: {0}")]
    Truncated(String),
    /// The input could not be read.
    #[error("read error: {0}")]
    Io(String),
    /// A JSON document that is not a HAR file.
    #[error("invalid HAR: {0}")]
    InvalidHar(String),
    /// The report is longer than the caller's cap ([`inspect_capture_json`]).
    #[error("{0}: lower maxBytes (max_bytes)")]
    ReportTooLarge(String),
}

impl CaptureError {
    /// A stable code: `CAPTURE_UNSUPPORTED_FORMAT`, `CAPTURE_TRUNCATED`, `CAPTURE_READ_ERROR`,
    /// `CAPTURE_INVALID_HAR`, `CAPTURE_REPORT_TOO_LARGE`.
    pub fn code(&self) -> &'static str {
        match self {
            CaptureError::UnsupportedFormat => "CAPTURE_UNSUPPORTED_FORMAT",
            CaptureError::Truncated(_) => "CAPTURE_TRUNCATED",
            CaptureError::Io(_) => "CAPTURE_READ_ERROR",
            CaptureError::InvalidHar(_) => "CAPTURE_INVALID_HAR",
            CaptureError::ReportTooLarge(_) => "CAPTURE_REPORT_TOO_LARGE",
        }
    }
}

/// A connection was recognised as WebSocket.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionInfo {
    /// Its number (in order of recognition while streaming).
    pub id: u64,
    /// Client address.
    pub client: String,
    /// Server address.
    pub server: String,
    /// Time of its first packet.
    pub start: f64,
    /// False when it was found by resynchronising (no handshake).
    pub handshake_seen: bool,
}

/// What [`CaptureReader`] reports, in capture order.
#[derive(Debug, Clone, PartialEq)]
pub enum CaptureEvent {
    /// A WebSocket connection was found.
    Connection(Box<ConnectionInfo>),
    /// Its opening handshake.
    Handshake {
        /// Connection id.
        conn: u64,
        /// The handshake.
        handshake: Box<Handshake>,
    },
    /// A remark about a connection.
    Note {
        /// Connection id.
        conn: u64,
        /// The remark.
        note: String,
    },
    /// A complete frame (or one cut by an error, a gap or the end of the capture).
    Frame {
        /// Connection id.
        conn: u64,
        /// The frame.
        frame: Box<Frame>,
    },
    /// A message (data or control).
    Message {
        /// Connection id.
        conn: u64,
        /// The message.
        message: Box<Message>,
    },
    /// A protocol error or TCP/HTTP problem in a connection.
    Error {
        /// Connection id.
        conn: u64,
        /// The error.
        error: Box<ConnectionError>,
    },
    /// The connection ended (or the capture did).
    Closed {
        /// Connection id.
        conn: u64,
        /// Time of the packet that ended it (second FIN, RST), else its last packet.
        end: f64,
        /// Frames it had (counted also when records are off).
        frames: u64,
        /// Messages it had.
        messages: u64,
        /// TCP counters.
        tcp: Box<TcpReport>,
    },
    /// A problem with the file itself.
    FileError(Box<FileError>),
}

/// File-level facts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// The container format.
    pub format: Format,
    /// Link type names (one per pcapng interface).
    pub link_types: Vec<String>,
    /// Records read.
    pub packets: u64,
    /// Bytes of input consumed.
    pub bytes: u64,
    /// Packets that held no TCP segment (other protocols, fragments, unsupported links).
    pub skipped_packets: u64,
    /// TCP connections that were not WebSocket.
    pub other_tcp_connections: u64,
}

/// Builds a [`CaptureReport`] from events.
#[derive(Debug, Default)]
pub struct ReportBuilder {
    connections: Vec<Connection>,
    errors: Vec<FileError>,
}

impl ReportBuilder {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    fn conn(&mut self, id: u64) -> Option<&mut Connection> {
        self.connections.iter_mut().rev().find(|c| c.id == id)
    }

    /// Adds one event.
    pub fn push(&mut self, ev: CaptureEvent) {
        match ev {
            CaptureEvent::Connection(i) => self.connections.push(Connection {
                id: i.id,
                client: i.client,
                server: i.server,
                start: i.start,
                end: i.start,
                handshake_seen: i.handshake_seen,
                handshake: None,
                notes: Vec::new(),
                tcp: TcpReport::default(),
                frames: Vec::new(),
                messages: Vec::new(),
                errors: Vec::new(),
            }),
            CaptureEvent::Handshake { conn, handshake } => {
                if let Some(c) = self.conn(conn) {
                    c.handshake = Some(*handshake);
                }
            }
            CaptureEvent::Note { conn, note } => {
                if let Some(c) = self.conn(conn) {
                    c.notes.push(note);
                }
            }
            CaptureEvent::Frame { conn, frame } => {
                if let Some(c) = self.conn(conn) {
                    c.end = c.end.max(frame.time);
                    c.frames.push(*frame);
                }
            }
            CaptureEvent::Message { conn, message } => {
                if let Some(c) = self.conn(conn) {
                    c.messages.push(*message);
                }
            }
            CaptureEvent::Error { conn, error } => {
                if let Some(c) = self.conn(conn) {
                    c.errors.push(*error);
                }
            }
            CaptureEvent::Closed { conn, end, tcp, .. } => {
                if let Some(c) = self.conn(conn) {
                    c.end = end;
                    c.tcp = *tcp;
                }
            }
            CaptureEvent::FileError(e) => self.errors.push(*e),
        }
    }

    /// The report. Connections are in the order they were recognised as WebSocket (the order
    /// of their first packet, unless recognising one took longer).
    pub fn finish(self, summary: Summary) -> CaptureReport {
        CaptureReport {
            format: summary.format,
            link_types: summary.link_types,
            packets: summary.packets,
            bytes: summary.bytes,
            skipped_packets: summary.skipped_packets,
            other_tcp_connections: summary.other_tcp_connections,
            connections: self.connections,
            errors: self.errors,
        }
    }
}

/// Reads a whole capture (pcap, pcapng or HAR, detected by its first bytes) into a report.
/// Fails only when the input is not a capture at all; problems inside it are in the report.
pub fn inspect_capture(bytes: &[u8], opts: &CaptureOptions) -> Result<CaptureReport, CaptureError> {
    let mut reader = CaptureReader::new(bytes, *opts)?;
    let mut b = ReportBuilder::new();
    reader.for_each(|ev| b.push(ev));
    let mut summary = reader.summary();
    summary.bytes = bytes.len() as u64;
    Ok(b.finish(summary))
}
