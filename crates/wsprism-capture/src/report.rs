//! The report types: the shape of `docs/capture.md`, serialized with serde (snake_case keys).

use serde::{Serialize, Serializer};
use std::fmt;

/// Bytes that serialize as a lower-case hex string.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Hex(pub Vec<u8>);

impl fmt::Debug for Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Writes `bytes` as hex, 64 bytes at a time through a stack buffer.
fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    let mut buf = [0u8; 128];
    for chunk in bytes.chunks(64) {
        for (pair, b) in buf.chunks_exact_mut(2).zip(chunk) {
            if let [hi, lo] = pair {
                *hi = DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
                *lo = DIGITS.get(usize::from(b & 15)).copied().unwrap_or(b'0');
            }
        }
        let s = buf.get(..chunk.len() * 2).unwrap_or_default();
        f.write_str(std::str::from_utf8(s).map_err(|_| fmt::Error)?)?;
    }
    Ok(())
}

impl fmt::Display for Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl Hex {
    /// The bytes as lower-case hex.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A masking key, serialized as 8 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaskKey(pub [u8; 4]);

impl MaskKey {
    /// The key as lower-case hex.
    pub fn to_hex(&self) -> String {
        wsprism::inspect::hex(&self.0)
    }
}

impl Serialize for MaskKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 8];
        for (i, b) in self.0.iter().enumerate() {
            for (j, nib) in [b >> 4, b & 15].into_iter().enumerate() {
                if let Some(d) = buf.get_mut(i * 2 + j) {
                    *d = b"0123456789abcdef"
                        .get(usize::from(nib))
                        .copied()
                        .unwrap_or(b'0');
                }
            }
        }
        s.serialize_str(std::str::from_utf8(&buf).unwrap_or_default())
    }
}

/// The container format of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// libpcap (any magic, either byte order).
    #[default]
    Pcap,
    /// pcapng.
    Pcapng,
    /// HTTP Archive (Chrome's `_webSocketMessages`).
    Har,
}

impl Format {
    /// `pcap`, `pcapng` or `har`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pcap => "pcap",
            Format::Pcapng => "pcapng",
            Format::Har => "har",
        }
    }
}

/// Which way bytes travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the client (the side that sent the upgrade request, or masks its frames).
    ClientToServer,
    /// From the server.
    ServerToClient,
}

impl Direction {
    /// `client_to_server` or `server_to_client`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::ClientToServer => "client_to_server",
            Direction::ServerToClient => "server_to_client",
        }
    }

    /// The other direction.
    pub fn reverse(self) -> Direction {
        match self {
            Direction::ClientToServer => Direction::ServerToClient,
            Direction::ServerToClient => Direction::ClientToServer,
        }
    }
}

/// A whole capture, as `inspect_capture` reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaptureReport {
    /// The container format.
    pub format: Format,
    /// Link types: one for pcap, one per interface for pcapng, none for HAR.
    pub link_types: Vec<String>,
    /// Records read (packets; HAR: entries).
    pub packets: u64,
    /// Size of the input in bytes.
    pub bytes: u64,
    /// Packets that held no TCP segment (other protocols, IP fragments, unsupported links).
    pub skipped_packets: u64,
    /// TCP connections that were not WebSocket (plain HTTP, TLS...), not listed.
    pub other_tcp_connections: u64,
    /// The WebSocket connections found, in order of first packet.
    pub connections: Vec<Connection>,
    /// File-level problems (truncated file, unsupported link type, undecodable records).
    pub errors: Vec<FileError>,
}

impl CaptureReport {
    /// True if any connection or the file itself has an error.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.connections.iter().any(|c| !c.errors.is_empty())
    }
}

/// A file-level problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    /// A `CAPTURE_*` code.
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
    /// Index of the record (packet) concerned, counting from 0.
    pub packet: u64,
}

/// One WebSocket connection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Connection {
    /// Number, from 0.
    pub id: u64,
    /// Client address, `ip:port` (`[v6]:port`); empty when unknown (HAR).
    pub client: String,
    /// Server address.
    pub server: String,
    /// Time of its first packet, seconds since the epoch.
    pub start: f64,
    /// Time of the packet that ended it: the second FIN or a RST (the ACK after a FIN is not
    /// waited for), else its last packet in the capture.
    pub end: f64,
    /// False when captured mid-stream (frames found by resynchronising).
    pub handshake_seen: bool,
    /// The opening handshake, when seen.
    pub handshake: Option<Handshake>,
    /// Remarks (resynchronisation, assumptions).
    pub notes: Vec<String>,
    /// TCP reassembly counters.
    pub tcp: TcpReport,
    /// Every frame, in time order.
    pub frames: Vec<Frame>,
    /// Every message (data and control), in time order.
    pub messages: Vec<Message>,
    /// Protocol errors, TCP gaps and handshake problems.
    pub errors: Vec<ConnectionError>,
}

/// The opening handshake of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handshake {
    /// The upgrade request.
    pub request: HttpRequest,
    /// The response (`None` if the capture has no response).
    pub response: Option<HttpResponse>,
    /// `Sec-WebSocket-Accept` matches `Sec-WebSocket-Key`.
    pub accept_valid: bool,
    /// The subprotocol the server chose.
    pub subprotocol: Option<String>,
    /// The server's `Sec-WebSocket-Extensions` value.
    pub extensions: Option<String>,
    /// The permessage-deflate parameters in force, if negotiated.
    pub deflate: Option<wsprism::DeflateParams>,
}

/// An HTTP request head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpRequest {
    /// `GET`.
    pub method: String,
    /// The request target (`/chat`).
    pub target: String,
    /// Header lines in order, as `[name, value]`.
    pub headers: Vec<(String, String)>,
}

/// An HTTP response head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpResponse {
    /// Status code (101).
    pub status: u16,
    /// Reason phrase.
    pub reason: String,
    /// Header lines in order, as `[name, value]`.
    pub headers: Vec<(String, String)>,
}

/// Per-direction TCP counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TcpDirStats {
    /// Payload bytes delivered in order.
    pub bytes: u64,
    /// TCP segments seen.
    pub segments: u64,
    /// Segments whose payload had all been seen already.
    pub retransmitted: u64,
    /// Segments that arrived ahead of a hole.
    pub out_of_order: u64,
    /// Segments that partly overlapped bytes already seen (the first-seen bytes win).
    pub overlaps: u64,
    /// Holes skipped because their bytes were never captured.
    pub gaps: u64,
}

/// How a TCP connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TcpClose {
    /// A FIN was seen.
    Fin,
    /// A RST was seen.
    Rst,
}

/// TCP reassembly counters of a connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TcpReport {
    /// Client to server.
    pub client_to_server: TcpDirStats,
    /// Server to client.
    pub server_to_client: TcpDirStats,
    /// `fin`, `rst`, or `None` while open at the end of the capture.
    pub closed: Option<TcpClose>,
}

/// One frame as it was on the wire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frame {
    /// Per connection, in the order decoded (time order, except where TCP reordering held
    /// one direction back).
    pub index: u64,
    /// Who sent it.
    pub direction: Direction,
    /// Time of the packet that completed it.
    pub time: f64,
    /// Offset of its first byte in its direction's TCP stream.
    pub stream_offset: u64,
    /// FIN bit.
    pub fin: bool,
    /// RSV1 bit (compressed, with permessage-deflate).
    pub rsv1: bool,
    /// RSV2 bit.
    pub rsv2: bool,
    /// RSV3 bit.
    pub rsv3: bool,
    /// The 4-bit opcode.
    pub opcode: u8,
    /// `text`, `binary`, `continuation`, `close`, `ping`, `pong`, `reserved ...`.
    pub opcode_name: &'static str,
    /// MASK bit.
    pub masked: bool,
    /// The masking key.
    pub masking_key: Option<MaskKey>,
    /// Header length in bytes.
    pub header_len: usize,
    /// Declared payload length.
    pub payload_len: u64,
    /// Wire bytes (header + payload as sent), up to `max_bytes`.
    pub raw_hex: Hex,
    /// Unmasked payload (still compressed if RSV1), up to `max_bytes`.
    pub payload_hex: Hex,
    /// True if `raw_hex` or `payload_hex` was cut (or the capture ended inside the frame).
    pub truncated: bool,
}

/// The kind of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    /// A text message.
    Text,
    /// A binary message.
    Binary,
    /// A ping.
    Ping,
    /// A pong.
    Pong,
    /// A close frame.
    Close,
}

impl MessageKind {
    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Binary => "binary",
            MessageKind::Ping => "ping",
            MessageKind::Pong => "pong",
            MessageKind::Close => "close",
        }
    }
}

/// One message the decoder delivered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// Per connection, in the order decoded.
    pub index: u64,
    /// Who sent it.
    pub direction: Direction,
    /// Time of its last frame.
    pub time: f64,
    /// Text, binary, ping, pong or close.
    pub kind: MessageKind,
    /// Decoded (inflated) length.
    pub length: u64,
    /// Sent compressed (permessage-deflate).
    pub compressed: bool,
    /// First and last frame index (`None` for HAR).
    pub frames: Option<[u64; 2]>,
    /// The text, for text messages and close reasons (up to `max_bytes`).
    pub text: Option<String>,
    /// The payload, up to `max_bytes`.
    pub data_hex: Hex,
    /// True if `text` or `data_hex` was cut.
    pub truncated: bool,
    /// Close code, for a close with a status.
    pub close_code: Option<u16>,
    /// Close reason, for a close with a status.
    pub close_reason: Option<String>,
}

/// A protocol error (the engine's `WS_ERR_*`), or a TCP/HTTP problem (`CAPTURE_*`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectionError {
    /// The direction concerned.
    pub direction: Direction,
    /// Time of the packet where it was found.
    pub time: f64,
    /// Index of the frame it belongs to.
    pub frame: Option<u64>,
    /// Offset in its direction's TCP stream.
    pub stream_offset: u64,
    /// `WS_ERR_*` (engine) or `CAPTURE_*`.
    pub code: &'static str,
    /// The close code a peer would have sent (0 when none applies).
    pub close_code: u16,
    /// The RFC section (empty when none applies).
    pub rfc_section: &'static str,
    /// What went wrong.
    pub message: String,
}
