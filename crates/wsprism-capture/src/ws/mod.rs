//! From reassembled TCP byte streams to WebSocket connections: upgrade detection (any port),
//! the handshake, resynchronisation on mid-stream captures, and per-frame decoding with the
//! engine's [`Decoder`].
//!
//! Every protocol rule is the engine's: frame headers are read with [`parse_header`] and judged
//! with [`check_header`] (resynchronisation) or by the [`Decoder`] itself (decoding); the
//! handshake with [`wsprism::handshake`] and [`wsprism::deflate`].
//!
//! | File | What |
//! | --- | --- |
//! | `flow.rs` | a TCP flow from detection to a WebSocket connection to its end ([`Flow`]) |
//! | `detect.rs` | upgrade or mid-stream WebSocket or neither; the bytes held meanwhile |
//! | `handshake.rs` | the handshake report from the engine's parsed request and response |
//! | `resync.rs` | a credible frame boundary in a stream captured mid-way |
//! | `frames.rs` | one direction decoded by the engine's [`Decoder`] into records |
//! | `sink.rs` | where events go ([`Emit`]) and the borrowed records they are built from |

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
use wsprism::handshake::{Request, Response, DEFAULT_MAX_HEAD_SIZE};
use wsprism::{apply_mask, Decoder, DecoderConfig, DeflateParams, FrameHeader, Parsed, Role};

// The pieces, in the order bytes meet them: a flow (`flow`) holds its first bytes while
// `detect` decides what it carries (`handshake` reports an upgrade; `resync` finds frames in a
// stream captured mid-way), then each direction is decoded by `frames`, whose records go to a
// `sink`. The submodules see each other's items through this module (`use super::*`).
mod detect;
mod flow;
mod frames;
mod handshake;
mod resync;
mod sink;

use detect::*;
use frames::*;
use resync::*;
use sink::*;

pub(crate) use flow::Flow;
pub(crate) use handshake::build_handshake;
pub(crate) use sink::{capture_error, Call, Emit, FrameView, MessageView};

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

/// Everything a direction needs from its connection while decoding.
struct Cx<'a> {
    opts: &'a Settings,
    id: u64,
    frames: &'a mut u64,
    messages: &'a mut u64,
    events: &'a mut dyn Emit,
}

fn decoder_config(role: Role, deflate: Option<DeflateParams>, opts: &Settings) -> DecoderConfig {
    DecoderConfig {
        role,
        max_frame_size: opts.max_frame_size,
        max_message_size: opts.max_message_size,
        deflate,
        ..Default::default()
    }
}

/// Helpers for the pieces' unit tests.
#[cfg(test)]
mod test_util {
    use wsprism::handshake::{self, Parsed, Request, Response};

    /// RFC 6455 §1.3's request, with a permessage-deflate offer.
    pub const REQUEST: &[u8] =
        b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";

    /// Its 101, agreeing to permessage-deflate.
    pub const RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";

    pub fn request(b: &[u8]) -> Request {
        match handshake::parse_request(b, 8192) {
            Ok(Parsed::Complete { value, .. }) => value,
            r => panic!("{r:?}"),
        }
    }

    pub fn response(b: &[u8]) -> Response {
        match handshake::parse_response(b, 8192) {
            Ok(Parsed::Complete { value, .. }) => value,
            r => panic!("{r:?}"),
        }
    }

    /// A masked (client) frame.
    pub fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        wsprism::encode_frame(
            &mut v,
            true,
            [false; 3],
            opcode,
            Some([1, 2, 3, 4]),
            payload,
        )
        .unwrap();
        v
    }
}
