//! The opening handshake (RFC 6455 §4): parsing and validating HTTP/1.1 upgrade requests and
//! responses (with `httparse`), computing `Sec-WebSocket-Accept`, choosing a subprotocol,
//! parsing `Sec-WebSocket-Extensions`, and building responses, rejections and client requests.
//!
//! ```
//! use wsprism::handshake::{accept_key, parse_request, Parsed};
//! assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
//! let raw = b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
//!             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
//!             Sec-WebSocket-Version: 13\r\n\r\n";
//! let Ok(Parsed::Complete { value: req, .. }) = parse_request(raw, 8192) else { panic!() };
//! let upgrade = req.validate().unwrap();
//! assert_eq!(upgrade.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
//! ```
//!
//! One concern per file: [`key`] (the key and its accept value), [`http`] (heads, header lists,
//! and the one place that says what a caller may write into a head: [`http::check_token`],
//! [`http::check_value`], [`http::check_target`]), [`extensions`] (the
//! `Sec-WebSocket-Extensions` grammar), [`server`] (validating a request, building the 101 and
//! rejections) and [`client`] (building a request, validating the response). Every builder that
//! takes caller strings checks them there and returns a [`HeaderError`] rather than emit CR, LF
//! or NUL.

use std::fmt;

pub use crate::frame::Parsed;

pub mod client;
pub mod extensions;
pub mod http;
pub mod key;
pub mod server;

pub use client::{AcceptedResponse, ClientRequest};
pub use extensions::{format_extensions, parse_extensions, Extension};
pub use http::{
    check_target, check_token, check_value, comma_list, is_token, parse_request, parse_response,
    Header, HeaderError, Request, Response, DEFAULT_MAX_HEAD_SIZE, MAX_HEADERS,
};
#[cfg(feature = "getrandom")]
pub use key::generate_key;
pub use key::{accept_key, accept_key_steps, is_valid_key, key_from_bytes, AcceptSteps, GUID};
pub use server::{build_rejection, build_response, UpgradeRequest};

/// Why a handshake was refused, and the HTTP status to refuse it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeError {
    /// HTTP status: 400 (also for a missing or unsupported `Sec-WebSocket-Version`, answered with
    /// `Sec-WebSocket-Version: 13, 8`), 405 (method other than GET), 431 (head too large), or for
    /// a client validating a response, 0 (the connection just fails).
    pub status: u16,
    /// What was wrong.
    pub kind: HandshakeErrorKind,
}

/// The kinds of handshake failure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeErrorKind {
    /// Not parseable as HTTP/1.1.
    Http(String),
    /// The head is larger than the configured limit.
    TooLarge(usize),
    /// Method other than GET.
    Method(String),
    /// HTTP version other than 1.1.
    Version,
    /// No `Host` header.
    MissingHost,
    /// `Upgrade` does not contain `websocket`.
    Upgrade,
    /// `Connection` does not contain `Upgrade`.
    Connection,
    /// `Sec-WebSocket-Key` missing, repeated or not base64 of 16 bytes.
    Key,
    /// `Sec-WebSocket-Version` missing, repeated, or neither 13 nor 8.
    WsVersion(Option<String>),
    /// A header value is not valid (not UTF-8, or malformed list syntax).
    HeaderValue(&'static str),
    /// Response status other than 101.
    Status(u16),
    /// `Sec-WebSocket-Accept` does not match the key.
    Accept,
    /// The server chose a subprotocol the client did not offer (or answered with several).
    Protocol(String),
    /// The server answered with an extension the client did not offer, or bad parameters.
    Extension(String),
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use HandshakeErrorKind::*;
        match &self.kind {
            Http(e) => write!(f, "malformed HTTP: {e}"),
            TooLarge(n) => write!(f, "handshake larger than {n} bytes"),
            Method(m) => write!(f, "method must be GET, not {m} (RFC 6455 §4.2.1)"),
            Version => f.write_str("HTTP version must be 1.1 or higher (RFC 6455 §4.2.1)"),
            MissingHost => f.write_str("missing Host header (RFC 6455 §4.2.1)"),
            Upgrade => f.write_str("Upgrade header must contain \"websocket\" (RFC 6455 §4.2.1)"),
            Connection => {
                f.write_str("Connection header must contain \"Upgrade\" (RFC 6455 §4.2.1)")
            }
            Key => f.write_str(
                "Sec-WebSocket-Key must appear once and be base64 of 16 bytes (RFC 6455 §4.2.1)",
            ),
            WsVersion(None) => {
                f.write_str("missing Sec-WebSocket-Version (must be 13, RFC 6455 §4.2.1)")
            }
            WsVersion(Some(v)) => write!(
                f,
                "unsupported Sec-WebSocket-Version {v:?} (must be 13 or 8, RFC 6455 §4.4)"
            ),
            HeaderValue(h) => write!(f, "invalid {h} header value"),
            Status(s) => write!(f, "expected status 101, got {s} (RFC 6455 §4.1)"),
            Accept => f.write_str("Sec-WebSocket-Accept does not match the key (RFC 6455 §4.1)"),
            Protocol(p) => write!(
                f,
                "server selected a subprotocol that was not offered: {p:?} (RFC 6455 §4.1)"
            ),
            Extension(e) => write!(
                f,
                "unacceptable extension response: {e} (RFC 6455 §4.1, RFC 7692)"
            ),
        }
    }
}

impl std::error::Error for HandshakeError {}

impl HandshakeError {
    pub(crate) fn bad(kind: HandshakeErrorKind) -> Self {
        Self { status: 400, kind }
    }
    /// A stable code for the kind of failure, what bindings and callers match on instead of the
    /// message: `WS_ERR_INVALID_HANDSHAKE` for a head that is not HTTP/1.1,
    /// `WS_ERR_HANDSHAKE_TOO_LARGE` for a head over the limit (status 431), and one
    /// `WS_ERR_HANDSHAKE_*` code per rule otherwise (`_METHOD`, `_VERSION`, `_KEY`, ...).
    pub fn code(&self) -> &'static str {
        use HandshakeErrorKind::*;
        match &self.kind {
            Http(_) => "WS_ERR_INVALID_HANDSHAKE",
            TooLarge(_) => "WS_ERR_HANDSHAKE_TOO_LARGE",
            Method(_) => "WS_ERR_HANDSHAKE_METHOD",
            Version => "WS_ERR_HANDSHAKE_HTTP_VERSION",
            MissingHost => "WS_ERR_HANDSHAKE_HOST",
            Upgrade => "WS_ERR_HANDSHAKE_UPGRADE",
            Connection => "WS_ERR_HANDSHAKE_CONNECTION",
            Key => "WS_ERR_HANDSHAKE_KEY",
            WsVersion(_) => "WS_ERR_HANDSHAKE_VERSION",
            HeaderValue("Sec-WebSocket-Protocol") => "WS_ERR_HANDSHAKE_PROTOCOL_HEADER",
            HeaderValue("Sec-WebSocket-Extensions") => "WS_ERR_HANDSHAKE_EXTENSIONS_HEADER",
            HeaderValue(_) => "WS_ERR_HANDSHAKE_HEADER_VALUE",
            Status(_) => "WS_ERR_HANDSHAKE_STATUS",
            Accept => "WS_ERR_HANDSHAKE_ACCEPT",
            Protocol(_) => "WS_ERR_HANDSHAKE_PROTOCOL",
            Extension(_) => "WS_ERR_HANDSHAKE_EXTENSION",
        }
    }
    /// The reason phrase of [`HandshakeError::status`].
    pub fn reason_phrase(&self) -> &'static str {
        match self.status {
            405 => "Method Not Allowed",
            426 => "Upgrade Required",
            431 => "Request Header Fields Too Large",
            _ => "Bad Request",
        }
    }
}

#[cfg(test)]
mod tests;
