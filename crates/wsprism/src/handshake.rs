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

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha1::{Digest, Sha1};
use std::fmt;

pub use crate::frame::Parsed;

/// The GUID of RFC 6455 §1.3, appended to the key before hashing.
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The default limit on the size of a request or response head.
pub const DEFAULT_MAX_HEAD_SIZE: usize = 8 * 1024;

/// Most header lines a head may have.
pub const MAX_HEADERS: usize = 64;

/// `base64(SHA-1(key + GUID))`.
pub fn accept_key(key: &str) -> String {
    let mut h = Sha1::new();
    h.update(key.as_bytes());
    h.update(GUID.as_bytes());
    B64.encode(h.finalize())
}

/// The intermediate values of [`accept_key`], for teaching: the concatenation, the SHA-1 digest
/// in hex, and the base64 result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AcceptSteps {
    /// `key + GUID`.
    pub concatenated: String,
    /// SHA-1 of that, 40 hex digits.
    pub sha1_hex: String,
    /// base64 of the 20 digest bytes: the `Sec-WebSocket-Accept` value.
    pub accept: String,
}

/// [`accept_key`] with every step shown.
pub fn accept_key_steps(key: &str) -> AcceptSteps {
    let concatenated = format!("{key}{GUID}");
    let digest = Sha1::digest(concatenated.as_bytes());
    AcceptSteps {
        sha1_hex: digest.iter().map(|b| format!("{b:02x}")).collect(),
        accept: B64.encode(digest),
        concatenated,
    }
}

/// Encodes 16 random bytes as a `Sec-WebSocket-Key`.
pub fn key_from_bytes(bytes: [u8; 16]) -> String {
    B64.encode(bytes)
}

/// A fresh random `Sec-WebSocket-Key`.
#[cfg(feature = "getrandom")]
pub fn generate_key() -> Result<String, getrandom::Error> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b)?;
    Ok(key_from_bytes(b))
}

/// True if `key` is the base64 encoding of exactly 16 bytes (RFC 6455 §4.1, item 7).
pub fn is_valid_key(key: &str) -> bool {
    key.len() == 24 && matches!(B64.decode(key), Ok(v) if v.len() == 16)
}

/// Why a handshake was refused, and the HTTP status to refuse it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeError {
    /// HTTP status: 400, 426 (unsupported version), 431 (head too large), or for a client
    /// validating a response, 0 (the connection just fails).
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
    /// `Sec-WebSocket-Version` missing or not 13.
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
                f.write_str("missing Sec-WebSocket-Version (must be 13, RFC 6455 §4.2.2)")
            }
            WsVersion(Some(v)) => write!(
                f,
                "unsupported Sec-WebSocket-Version {v:?} (must be 13, RFC 6455 §4.4)"
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
    fn bad(kind: HandshakeErrorKind) -> Self {
        Self { status: 400, kind }
    }
    /// The reason phrase of [`HandshakeError::status`].
    pub fn reason_phrase(&self) -> &'static str {
        match self.status {
            426 => "Upgrade Required",
            431 => "Request Header Fields Too Large",
            _ => "Bad Request",
        }
    }
}

/// One header line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Header {
    /// Name as sent.
    pub name: String,
    /// Value (lossy UTF-8; invalid bytes are replaced).
    pub value: String,
    /// False if the raw value was not valid UTF-8.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub utf8: bool,
}

fn collect_headers(hs: &[httparse::Header<'_>]) -> Vec<Header> {
    hs.iter()
        .map(|h| {
            let utf8 = std::str::from_utf8(h.value).is_ok();
            Header {
                name: h.name.to_string(),
                value: String::from_utf8_lossy(h.value).into_owned(),
                utf8,
            }
        })
        .collect()
}

/// Header lookup helpers shared by requests and responses.
fn values<'a, 'n>(
    headers: &'a [Header],
    name: &'n str,
) -> impl Iterator<Item = &'a Header> + use<'a, 'n> {
    headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
}

/// Splits comma-separated header lists (across repeated headers), trimming whitespace and
/// dropping empty elements.
pub fn comma_list<'a>(headers: &'a [Header], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    values(headers, name)
        .flat_map(|h| h.value.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn has_token(headers: &[Header], name: &str, token: &str) -> bool {
    comma_list(headers, name).any(|t| t.eq_ignore_ascii_case(token))
}

fn single<'a>(headers: &'a [Header], name: &str) -> Result<Option<&'a str>, ()> {
    let mut it = headers.iter().filter(|h| h.name.eq_ignore_ascii_case(name));
    match (it.next(), it.next()) {
        (None, _) => Ok(None),
        (Some(h), None) => Ok(Some(h.value.trim())),
        _ => Err(()),
    }
}

/// A parsed HTTP request head (not yet validated as a WebSocket upgrade).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Request {
    /// The method (`GET`).
    pub method: String,
    /// The request target (`/chat`).
    pub path: String,
    /// The minor HTTP version: 1 for HTTP/1.1.
    pub http_minor: u8,
    /// Header lines in order.
    pub headers: Vec<Header>,
}

/// A parsed HTTP response head.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: String,
    /// The minor HTTP version.
    pub http_minor: u8,
    /// Header lines in order.
    pub headers: Vec<Header>,
}

fn too_large(max: usize) -> HandshakeError {
    HandshakeError {
        status: 431,
        kind: HandshakeErrorKind::TooLarge(max),
    }
}

/// Maps httparse's outcome for a head in `buf` to ours: `Some(len)` when complete, `None` while
/// incomplete, 431 once `max_size` bytes (or too many header lines) arrived without an end.
fn head_status(
    r: Result<httparse::Status<usize>, httparse::Error>,
    buf: &[u8],
    max_size: usize,
) -> Result<Option<usize>, HandshakeError> {
    match r {
        Ok(httparse::Status::Complete(len)) if len > max_size => Err(too_large(max_size)),
        Ok(httparse::Status::Complete(len)) => Ok(Some(len)),
        Ok(httparse::Status::Partial) if buf.len() >= max_size => Err(too_large(max_size)),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(too_large(max_size)),
        Err(e) => Err(HandshakeError::bad(HandshakeErrorKind::Http(e.to_string()))),
    }
}

/// Parses a request head from the start of `buf`. Returns [`Parsed::NeedMore`] while the head
/// is incomplete (the count is a lower bound: 1), and fails once `max_size` bytes have arrived
/// without a complete head.
pub fn parse_request(buf: &[u8], max_size: usize) -> Result<Parsed<Request>, HandshakeError> {
    let mut hs = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut hs);
    let Some(len) = head_status(req.parse(buf), buf, max_size)? else {
        return Ok(Parsed::NeedMore(1));
    };
    Ok(Parsed::Complete {
        value: Request {
            method: req.method.unwrap_or_default().to_string(),
            path: req.path.unwrap_or_default().to_string(),
            http_minor: req.version.unwrap_or_default(),
            headers: collect_headers(req.headers),
        },
        len,
    })
}

/// Parses a response head from the start of `buf` (see [`parse_request`]).
pub fn parse_response(buf: &[u8], max_size: usize) -> Result<Parsed<Response>, HandshakeError> {
    let mut hs = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut hs);
    let Some(len) = head_status(resp.parse(buf), buf, max_size)? else {
        return Ok(Parsed::NeedMore(1));
    };
    Ok(Parsed::Complete {
        value: Response {
            status: resp.code.unwrap_or_default(),
            reason: resp.reason.unwrap_or_default().to_string(),
            http_minor: resp.version.unwrap_or_default(),
            headers: collect_headers(resp.headers),
        },
        len,
    })
}

/// One extension from a `Sec-WebSocket-Extensions` header, with its parameters
/// (quoted-string values unquoted).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Extension {
    /// Extension token, e.g. `permessage-deflate`.
    pub name: String,
    /// Parameters in order: name and optional value.
    pub params: Vec<(String, Option<String>)>,
}

impl fmt::Display for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        for (k, v) in &self.params {
            match v {
                Some(v) => write!(f, "; {k}={v}")?,
                None => write!(f, "; {k}")?,
            }
        }
        Ok(())
    }
}

/// RFC 7230 `tchar`.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_tchar)
}

/// Parses a `Sec-WebSocket-Extensions` value (RFC 6455 §9.1): a comma list of
/// `name *( ";" param [ "=" (token | quoted-string) ] )`. Quoted values may contain `,` and `;`.
pub fn parse_extensions(value: &str) -> Result<Vec<Extension>, HandshakeError> {
    let err = || HandshakeError::bad(HandshakeErrorKind::HeaderValue("Sec-WebSocket-Extensions"));
    // Tokenise into elements separated by ',' and ';' outside quotes.
    let mut exts = Vec::new();
    let mut current: Option<Extension> = None;
    let mut chars = value.char_indices().peekable();
    let mut item = String::new();
    let mut quoted_val: Option<String> = None;
    let mut in_quotes = false;
    let flush = |item: &mut String,
                 quoted: &mut Option<String>,
                 current: &mut Option<Extension>,
                 end_ext: bool,
                 exts: &mut Vec<Extension>|
     -> Result<(), HandshakeError> {
        let text = item.trim().to_string();
        item.clear();
        match current {
            None => {
                if !is_token(&text) {
                    return Err(err());
                }
                *current = Some(Extension {
                    name: text,
                    params: Vec::new(),
                });
            }
            Some(ext) => {
                let (k, v) = match (text.split_once('='), quoted.take()) {
                    (Some((k, _)), Some(q)) => (k.trim().to_string(), Some(q)),
                    (Some((k, v)), None) => {
                        let v = v.trim();
                        if !is_token(v) {
                            return Err(err());
                        }
                        (k.trim().to_string(), Some(v.to_string()))
                    }
                    (None, _) => (text, None),
                };
                if !is_token(&k) {
                    return Err(err());
                }
                ext.params.push((k, v));
            }
        }
        if end_ext {
            if let Some(e) = current.take() {
                exts.push(e);
            }
        }
        Ok(())
    };
    while let Some((_, c)) = chars.next() {
        if in_quotes {
            match c {
                '"' => in_quotes = false,
                '\\' => match chars.next() {
                    Some((_, e)) => quoted_val.get_or_insert_with(String::new).push(e),
                    None => return Err(err()),
                },
                _ => quoted_val.get_or_insert_with(String::new).push(c),
            }
            continue;
        }
        match c {
            '"' => {
                // Only allowed directly after `name=`.
                if !item.trim_end().ends_with('=') || quoted_val.is_some() {
                    return Err(err());
                }
                in_quotes = true;
                quoted_val = Some(String::new());
            }
            ';' => flush(&mut item, &mut quoted_val, &mut current, false, &mut exts)?,
            ',' => {
                if item.trim().is_empty() && current.is_none() {
                    continue; // empty list element
                }
                flush(&mut item, &mut quoted_val, &mut current, true, &mut exts)?
            }
            _ => {
                if quoted_val.is_some() && !c.is_whitespace() {
                    return Err(err()); // text after a closing quote
                }
                item.push(c)
            }
        }
    }
    if in_quotes {
        return Err(err());
    }
    if !item.trim().is_empty() || current.is_some() {
        flush(&mut item, &mut quoted_val, &mut current, true, &mut exts)?;
    }
    // A quoted value must itself be a token once unquoted (RFC 6455 §9.1).
    for e in &exts {
        for (_, v) in &e.params {
            if let Some(v) = v {
                if !is_token(v) {
                    return Err(err());
                }
            }
        }
    }
    Ok(exts)
}

/// A request that passed every check of RFC 6455 §4.2.1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UpgradeRequest {
    /// The request target.
    pub path: String,
    /// The `Host` header.
    pub host: String,
    /// The `Origin` header, if any.
    pub origin: Option<String>,
    /// The client's key.
    pub key: String,
    /// The `Sec-WebSocket-Accept` value to answer with.
    pub accept: String,
    /// Offered subprotocols, in the client's order of preference.
    pub protocols: Vec<String>,
    /// Offered extensions, in order.
    pub extensions: Vec<Extension>,
}

impl Request {
    /// All values of a header, comma lists split.
    pub fn header_list<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        comma_list(&self.headers, name)
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        values(&self.headers, name).next().map(|h| h.value.as_str())
    }

    /// Validates the request as a WebSocket upgrade (RFC 6455 §4.2.1): GET, HTTP/1.1 or higher,
    /// Host, `Upgrade: websocket`, `Connection: Upgrade` (case-insensitive, in token lists), a
    /// 16-byte base64 key and version 13. Fails with 426 for a missing or other version.
    pub fn validate(&self) -> Result<UpgradeRequest, HandshakeError> {
        use HandshakeErrorKind as K;
        if self.method != "GET" {
            return Err(HandshakeError::bad(K::Method(self.method.clone())));
        }
        if self.http_minor < 1 {
            return Err(HandshakeError::bad(K::Version));
        }
        if let Some(h) = self.headers.iter().find(|h| !h.utf8) {
            let _ = h;
            return Err(HandshakeError::bad(K::HeaderValue("non-UTF-8")));
        }
        let host = match single(&self.headers, "host") {
            Ok(Some(h)) if !h.is_empty() => h.to_string(),
            _ => return Err(HandshakeError::bad(K::MissingHost)),
        };
        if !has_token(&self.headers, "upgrade", "websocket") {
            return Err(HandshakeError::bad(K::Upgrade));
        }
        if !has_token(&self.headers, "connection", "upgrade") {
            return Err(HandshakeError::bad(K::Connection));
        }
        let key = match single(&self.headers, "sec-websocket-key") {
            Ok(Some(k)) if is_valid_key(k) => k.to_string(),
            _ => return Err(HandshakeError::bad(K::Key)),
        };
        match single(&self.headers, "sec-websocket-version") {
            Ok(Some("13")) => {}
            Ok(v) => {
                return Err(HandshakeError {
                    status: 426,
                    kind: K::WsVersion(v.map(str::to_string)),
                })
            }
            Err(()) => {
                return Err(HandshakeError {
                    status: 426,
                    kind: K::WsVersion(Some("(repeated)".into())),
                })
            }
        }
        let protocols: Vec<String> = self
            .header_list("sec-websocket-protocol")
            .map(str::to_string)
            .collect();
        if protocols.iter().any(|p| !is_token(p)) {
            return Err(HandshakeError::bad(K::HeaderValue(
                "Sec-WebSocket-Protocol",
            )));
        }
        let mut extensions = Vec::new();
        for h in values(&self.headers, "sec-websocket-extensions") {
            extensions.extend(parse_extensions(&h.value)?);
        }
        Ok(UpgradeRequest {
            path: self.path.clone(),
            host,
            origin: single(&self.headers, "origin")
                .ok()
                .flatten()
                .map(str::to_string),
            accept: accept_key(&key),
            key,
            protocols,
            extensions,
        })
    }
}

impl UpgradeRequest {
    /// The first of the client's protocols that `supported` contains (client preference order).
    pub fn select_protocol<'a>(&'a self, supported: &[&str]) -> Option<&'a str> {
        self.protocols
            .iter()
            .map(String::as_str)
            .find(|p| supported.contains(p))
    }
}

/// Builds the `101 Switching Protocols` response.
pub fn build_response(
    accept: &str,
    protocol: Option<&str>,
    extensions: Option<&str>,
    extra_headers: &[(&str, &str)],
) -> Vec<u8> {
    let mut s = String::with_capacity(160);
    s.push_str("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
    s.push_str("Sec-WebSocket-Accept: ");
    s.push_str(accept);
    s.push_str("\r\n");
    if let Some(p) = protocol {
        s.push_str("Sec-WebSocket-Protocol: ");
        s.push_str(p);
        s.push_str("\r\n");
    }
    if let Some(e) = extensions.filter(|e| !e.is_empty()) {
        s.push_str("Sec-WebSocket-Extensions: ");
        s.push_str(e);
        s.push_str("\r\n");
    }
    for (k, v) in extra_headers {
        s.push_str(k);
        s.push_str(": ");
        s.push_str(v);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    s.into_bytes()
}

/// Builds the HTTP response that refuses a handshake: the status, `Connection: close`, and for
/// 426 the `Sec-WebSocket-Version: 13` header (RFC 6455 §4.4), with the reason as the body.
pub fn build_rejection(err: &HandshakeError) -> Vec<u8> {
    let status = if err.status == 0 { 400 } else { err.status };
    let body = err.to_string();
    let mut s = format!(
        "HTTP/1.1 {status} {}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n",
        err.reason_phrase(),
        body.len()
    );
    if status == 426 {
        s.push_str("Sec-WebSocket-Version: 13\r\n");
    }
    s.push_str("\r\n");
    s.push_str(&body);
    s.into_bytes()
}

/// What a client puts in its upgrade request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientRequest<'a> {
    /// Value of the Host header (`host[:port]`).
    pub host: &'a str,
    /// Request target, e.g. `/chat?x=1`.
    pub path: &'a str,
    /// The key ([`generate_key`] or [`key_from_bytes`]).
    pub key: &'a str,
    /// Subprotocols to offer.
    pub protocols: &'a [&'a str],
    /// `Sec-WebSocket-Extensions` value to offer, if any.
    pub extensions: Option<&'a str>,
    /// `Origin`, if any.
    pub origin: Option<&'a str>,
    /// Other headers.
    pub extra_headers: &'a [(&'a str, &'a str)],
}

impl ClientRequest<'_> {
    /// The request head bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let path = if self.path.is_empty() { "/" } else { self.path };
        let mut s = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n",
            self.host, self.key
        );
        if !self.protocols.is_empty() {
            s.push_str("Sec-WebSocket-Protocol: ");
            s.push_str(&self.protocols.join(", "));
            s.push_str("\r\n");
        }
        if let Some(e) = self.extensions.filter(|e| !e.is_empty()) {
            s.push_str("Sec-WebSocket-Extensions: ");
            s.push_str(e);
            s.push_str("\r\n");
        }
        if let Some(o) = self.origin {
            s.push_str("Origin: ");
            s.push_str(o);
            s.push_str("\r\n");
        }
        for (k, v) in self.extra_headers {
            s.push_str(k);
            s.push_str(": ");
            s.push_str(v);
            s.push_str("\r\n");
        }
        s.push_str("\r\n");
        s.into_bytes()
    }
}

/// A server response that the client accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AcceptedResponse {
    /// The subprotocol the server chose, if any.
    pub protocol: Option<String>,
    /// The extensions the server accepted (their parameters are checked by the extension's own
    /// negotiation, e.g. [`crate::deflate::accept_response`]).
    pub extensions: Vec<Extension>,
}

impl Response {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        values(&self.headers, name).next().map(|h| h.value.as_str())
    }

    /// Validates the server's answer to a request made with `key` offering `protocols`
    /// (RFC 6455 §4.1): status 101, Upgrade/Connection tokens, the accept value, a subprotocol
    /// that was offered, and only extension names in `offered_extensions`.
    pub fn validate(
        &self,
        key: &str,
        protocols: &[&str],
        offered_extensions: &[&str],
    ) -> Result<AcceptedResponse, HandshakeError> {
        use HandshakeErrorKind as K;
        let fail = |kind| HandshakeError { status: 0, kind };
        if self.status != 101 {
            return Err(fail(K::Status(self.status)));
        }
        if !has_token(&self.headers, "upgrade", "websocket") {
            return Err(fail(K::Upgrade));
        }
        if !has_token(&self.headers, "connection", "upgrade") {
            return Err(fail(K::Connection));
        }
        match single(&self.headers, "sec-websocket-accept") {
            Ok(Some(a)) if a == accept_key(key) => {}
            _ => return Err(fail(K::Accept)),
        }
        let chosen: Vec<&str> = comma_list(&self.headers, "sec-websocket-protocol").collect();
        let protocol = match chosen.as_slice() {
            [] => None,
            [p] if protocols.contains(p) => Some((*p).to_string()),
            _ => return Err(fail(K::Protocol(chosen.join(", ")))),
        };
        let mut extensions = Vec::new();
        for h in values(&self.headers, "sec-websocket-extensions") {
            let exts = parse_extensions(&h.value).map_err(|e| fail(e.kind))?;
            for e in exts {
                if !offered_extensions.contains(&e.name.as_str()) {
                    return Err(fail(K::Extension(format!("{} was not offered", e.name))));
                }
                if extensions.iter().any(|x: &Extension| x.name == e.name) {
                    return Err(fail(K::Extension(format!("{} answered twice", e.name))));
                }
                extensions.push(e);
            }
        }
        Ok(AcceptedResponse {
            protocol,
            extensions,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    const RFC_REQ: &str = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n";

    fn req(s: &str) -> Request {
        match parse_request(s.as_bytes(), DEFAULT_MAX_HEAD_SIZE).unwrap() {
            Parsed::Complete { value, .. } => value,
            Parsed::NeedMore(_) => panic!("incomplete"),
        }
    }

    fn with(header_line_from: &str, to: &str) -> Result<UpgradeRequest, HandshakeError> {
        req(&RFC_REQ.replace(header_line_from, to)).validate()
    }

    #[test]
    fn rfc_example() {
        let u = req(RFC_REQ).validate().unwrap();
        assert_eq!(u.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(u.protocols, vec!["chat", "superchat"]);
        assert_eq!(u.origin.as_deref(), Some("http://example.com"));
        assert_eq!(u.select_protocol(&["superchat", "chat"]), Some("chat"));
        assert_eq!(u.select_protocol(&["x"]), None);
        let steps = accept_key_steps("dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(steps.sha1_hex, "b37a4f2cc0624f1690f64606cf385945b2bec4ea");
        assert_eq!(steps.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn partial_and_too_large() {
        let b = RFC_REQ.as_bytes();
        for i in 0..b.len() {
            assert_eq!(
                parse_request(&b[..i], 8192).unwrap(),
                Parsed::NeedMore(1),
                "{i}"
            );
        }
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(9000));
        assert_eq!(parse_request(big.as_bytes(), 8192).unwrap_err().status, 431);
        assert_eq!(
            parse_request(RFC_REQ.as_bytes(), 100).unwrap_err().status,
            431
        );
    }

    #[test]
    fn tokens_are_case_insensitive_lists() {
        assert!(with("Upgrade: websocket", "Upgrade: WebSocket").is_ok());
        assert!(with("Connection: Upgrade", "Connection: keep-alive, UPGRADE").is_ok());
        assert!(with(
            "Connection: Upgrade",
            "Connection: keep-alive\r\nConnection: upgrade"
        )
        .is_ok());
    }

    #[test]
    fn rejections() {
        use HandshakeErrorKind as K;
        let e = with("GET /chat", "POST /chat").unwrap_err();
        assert_eq!((e.status, e.kind), (400, K::Method("POST".into())));
        assert_eq!(with("HTTP/1.1", "HTTP/1.0").unwrap_err().kind, K::Version);
        assert_eq!(
            with("Host: server.example.com\r\n", "").unwrap_err().kind,
            K::MissingHost
        );
        assert_eq!(
            with("Upgrade: websocket", "Upgrade: h2c").unwrap_err().kind,
            K::Upgrade
        );
        assert_eq!(
            with("Connection: Upgrade", "Connection: close")
                .unwrap_err()
                .kind,
            K::Connection
        );
        assert_eq!(
            with("dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZQ==")
                .unwrap_err()
                .kind,
            K::Key
        );
        assert_eq!(
            with("dGhlIHNhbXBsZSBub25jZQ==", "not base64 at all!!!!!!")
                .unwrap_err()
                .kind,
            K::Key
        );
        let twice = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
        assert_eq!(
            with("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", twice)
                .unwrap_err()
                .kind,
            K::Key
        );
        let e = with("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8").unwrap_err();
        assert_eq!(e.status, 426);
        let resp = String::from_utf8(build_rejection(&e)).unwrap();
        assert!(resp.starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
        assert!(resp.contains("\r\nSec-WebSocket-Version: 13\r\n"));
        assert_eq!(
            with("Sec-WebSocket-Version: 13\r\n", "")
                .unwrap_err()
                .status,
            426
        );
        let resp = String::from_utf8(build_rejection(&with("GET", "PUT").unwrap_err())).unwrap();
        assert!(resp.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        assert!(!resp.contains("Sec-WebSocket-Version"));
    }

    #[test]
    fn extension_lists() {
        let e = parse_extensions("permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits=\"10\"; server_no_context_takeover , x-webkit-deflate-frame").unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].name, "permessage-deflate");
        assert_eq!(e[0].params, vec![("client_max_window_bits".into(), None)]);
        assert_eq!(
            e[1].params,
            vec![
                ("server_max_window_bits".into(), Some("10".into())),
                ("server_no_context_takeover".into(), None)
            ]
        );
        assert_eq!(e[2].name, "x-webkit-deflate-frame");
        assert!(parse_extensions("").unwrap().is_empty());
        assert!(parse_extensions("a; b=\"unterminated").is_err());
        assert!(
            parse_extensions("a; b=\"x y\"").is_err(),
            "quoted value must be a token"
        );
        assert!(parse_extensions("a b").is_err());
        assert!(parse_extensions("; x").is_err());
        assert!(parse_extensions("a; =1").is_err());
    }

    #[test]
    fn client_request_and_response_validation() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let r = ClientRequest {
            host: "h:1",
            path: "/p",
            key,
            protocols: &["chat"],
            extensions: Some("permessage-deflate"),
            ..Default::default()
        };
        let u = req(std::str::from_utf8(&r.to_bytes()).unwrap())
            .validate()
            .unwrap();
        assert_eq!(u.protocols, vec!["chat"]);
        assert_eq!(u.extensions[0].name, "permessage-deflate");
        let resp = build_response(&u.accept, Some("chat"), Some("permessage-deflate"), &[]);
        let Parsed::Complete { value, len } = parse_response(&resp, 8192).unwrap() else {
            panic!()
        };
        assert_eq!(len, resp.len());
        let a = value
            .validate(key, &["chat"], &["permessage-deflate"])
            .unwrap();
        assert_eq!(a.protocol.as_deref(), Some("chat"));
        assert!(value
            .validate(
                "AAAAAAAAAAAAAAAAAAAAAA==",
                &["chat"],
                &["permessage-deflate"]
            )
            .is_err());
        assert!(value
            .validate(key, &["other"], &["permessage-deflate"])
            .is_err());
        assert!(value.validate(key, &["chat"], &[]).is_err());
    }
}
