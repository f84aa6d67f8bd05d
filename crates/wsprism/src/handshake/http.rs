//! HTTP/1.1 heads (RFC 7230 through `httparse`): parsing requests and responses, header lists,
//! and what a caller may write into a head. [`check_token`], [`check_value`] and
//! [`check_target`] are the only judges of caller strings: every builder of the crate
//! ([`super::build_response`], [`super::ClientRequest::to_bytes`]) and every binding goes
//! through them, so nothing with CR, LF or NUL is ever emitted, whoever calls.

use std::fmt;

use super::{HandshakeError, HandshakeErrorKind, Parsed};

/// The default limit on the size of a request or response head.
pub const DEFAULT_MAX_HEAD_SIZE: usize = 8 * 1024;

/// Most header lines a head may have.
pub const MAX_HEADERS: usize = 64;

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

pub(super) fn collect_headers(hs: &[httparse::Header<'_>]) -> Vec<Header> {
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
pub(super) fn values<'a, 'n>(
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

pub(super) fn has_token(headers: &[Header], name: &str, token: &str) -> bool {
    comma_list(headers, name).any(|t| t.eq_ignore_ascii_case(token))
}

pub(super) fn single<'a>(headers: &'a [Header], name: &str) -> Result<Option<&'a str>, ()> {
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

pub(super) fn too_large(max: usize) -> HandshakeError {
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

/// RFC 7230 `tchar`.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// True if `s` is an RFC 7230 `token` (§3.2.6): one or more of
/// ``!#$%&'*+-.^_`|~``, digits and ASCII letters. Header names, subprotocols and extension
/// names and parameters are tokens.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_tchar)
}

/// True if `s` may be written as a header value: it holds no CR, LF or NUL (a CR or LF would end
/// the header line and start another one, "header injection"; RFC 7230 §3.2 allows neither in
/// a field value).
pub fn is_header_value(s: &str) -> bool {
    !s.contains(['\r', '\n', '\0'])
}

/// A caller's string that may not be written into an HTTP head. `what` names the argument
/// (`"Sec-WebSocket-Protocol"`, `"header X-A"`, `"Host"`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderError {
    /// Not an RFC 7230 token where one is required (a header name, a subprotocol).
    Token {
        /// What the string was for.
        what: String,
        /// The string.
        value: String,
    },
    /// A header value with CR, LF or NUL.
    Value {
        /// What the string was for.
        what: String,
    },
    /// A request target that is empty or holds whitespace or control characters.
    Target,
}

impl HeaderError {
    /// A stable code, the one Node's `http` module throws for the same mistake:
    /// `ERR_INVALID_HTTP_TOKEN` (a name or token), `ERR_INVALID_CHAR` (a value),
    /// `ERR_UNESCAPED_CHARACTERS` (a request target). Bindings throw these as `TypeError`.
    pub fn code(&self) -> &'static str {
        match self {
            HeaderError::Token { .. } => "ERR_INVALID_HTTP_TOKEN",
            HeaderError::Value { .. } => "ERR_INVALID_CHAR",
            HeaderError::Target => "ERR_UNESCAPED_CHARACTERS",
        }
    }
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::Token { what, value } => write!(
                f,
                "{what} {value:?} is not an HTTP token (RFC 7230 §3.2.6)"
            ),
            HeaderError::Value { what } => write!(
                f,
                "{what} value must not contain CR, LF or NUL (RFC 7230 §3.2)"
            ),
            HeaderError::Target => f.write_str(
                "the request target must be non-empty, without whitespace or control characters (RFC 7230 §5.3)",
            ),
        }
    }
}

impl std::error::Error for HeaderError {}

/// `Ok` if `s` is a token ([`is_token`]), else [`HeaderError::Token`] naming `what`.
pub fn check_token(what: &str, s: &str) -> Result<(), HeaderError> {
    if is_token(s) {
        Ok(())
    } else {
        Err(HeaderError::Token {
            what: what.to_string(),
            value: s.to_string(),
        })
    }
}

/// `Ok` if `s` may be a header value ([`is_header_value`]), else [`HeaderError::Value`].
pub fn check_value(what: &str, s: &str) -> Result<(), HeaderError> {
    if is_header_value(s) {
        Ok(())
    } else {
        Err(HeaderError::Value {
            what: what.to_string(),
        })
    }
}

/// `Ok` if `path` may be a request target: non-empty, no whitespace, no control characters
/// (a space would end the target and CR/LF the request line).
pub fn check_target(path: &str) -> Result<(), HeaderError> {
    if !path.is_empty() && !path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(())
    } else {
        Err(HeaderError::Target)
    }
}

/// Appends `name: value\r\n` after checking both ([`check_token`], [`check_value`]): the one way
/// the builders write a header line.
pub(super) fn push_header(out: &mut String, name: &str, value: &str) -> Result<(), HeaderError> {
    check_token("header name", name)?;
    if !is_header_value(value) {
        return Err(HeaderError::Value {
            what: format!("header {name}"),
        });
    }
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        for t in ["permessage-deflate", "X-Custom_1", "!#$%&'*+-.^_`|~", "a1"] {
            assert!(is_token(t), "{t}");
            assert_eq!(check_token("t", t), Ok(()));
        }
        for t in [
            "", "a b", "a:b", "a\r\nb", "a,b", "a;b", "\"a\"", "é", "a\0", "a/b",
        ] {
            assert!(!is_token(t), "{t:?}");
            let e = check_token("Sec-WebSocket-Protocol", t).unwrap_err();
            assert_eq!(e.code(), "ERR_INVALID_HTTP_TOKEN");
            assert!(e.to_string().starts_with("Sec-WebSocket-Protocol "), "{e}");
        }
    }

    #[test]
    fn values_refuse_cr_lf_nul_only() {
        for v in ["", "a b", "\"quoted, list\"; x=1", "é ☃", "tab\there"] {
            assert_eq!(check_value("v", v), Ok(()), "{v:?}");
        }
        for v in ["a\r\nSet-Cookie: x", "a\r", "a\nb", "\n", "nul\0"] {
            let e = check_value("header X-A", v).unwrap_err();
            assert_eq!(e.code(), "ERR_INVALID_CHAR");
            assert!(e.to_string().contains("CR, LF or NUL"), "{e}");
        }
    }

    #[test]
    fn targets() {
        for t in ["/", "/chat?x=1", "*", "http://h/p"] {
            assert_eq!(check_target(t), Ok(()), "{t}");
        }
        for t in ["", "/a b", "/a\r\nX: 1", "/\t", "/\0", "/\u{85}"] {
            assert_eq!(check_target(t), Err(HeaderError::Target), "{t:?}");
        }
        assert_eq!(HeaderError::Target.code(), "ERR_UNESCAPED_CHARACTERS");
    }

    #[test]
    fn push_header_checks_both_sides() {
        let mut s = String::new();
        push_header(&mut s, "X-A", "1").unwrap();
        assert_eq!(s, "X-A: 1\r\n");
        assert!(push_header(&mut s, "X A", "1").is_err());
        assert!(push_header(&mut s, "X-B", "1\r\nX-C: 2").is_err());
        assert_eq!(s, "X-A: 1\r\n", "nothing written on error");
    }
}
