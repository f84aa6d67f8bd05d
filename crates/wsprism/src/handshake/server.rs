//! The server side (RFC 6455 §4.2): validating an upgrade request, building the
//! `101 Switching Protocols` response and the rejections.

use super::extensions::{parse_extensions, Extension};
use super::http::{
    check_token, comma_list, has_token, is_token, push_header, single, values, HeaderError, Request,
};
use super::key::{accept_key, is_valid_key};
use super::{HandshakeError, HandshakeErrorKind};

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

    /// Validates the request as a WebSocket upgrade (RFC 6455 §4.2.1), in this order: GET, HTTP/1.1
    /// or higher, `Upgrade: websocket`, `Connection: Upgrade` (case-insensitive, in token lists),
    /// Host, a 16-byte base64 key and version 13 (or 8, the last draft's number for the same
    /// protocol, which `ws` and browsers of that time send); the first rule broken is reported. Fails with 405 for another method, 400 for a
    /// missing or other version (answered with `Sec-WebSocket-Version: 13, 8`, RFC 6455 §4.4).
    pub fn validate(&self) -> Result<UpgradeRequest, HandshakeError> {
        use HandshakeErrorKind as K;
        if self.method != "GET" {
            return Err(HandshakeError {
                status: 405,
                kind: K::Method(self.method.clone()),
            });
        }
        if self.http_minor < 1 {
            return Err(HandshakeError::bad(K::Version));
        }
        if let Some(h) = self.headers.iter().find(|h| !h.utf8) {
            let _ = h;
            return Err(HandshakeError::bad(K::HeaderValue("non-UTF-8")));
        }
        // A request that is no upgrade at all is told so before anything else is judged (the
        // order `ws` checks in, so the two answer the same request with the same words).
        if !has_token(&self.headers, "upgrade", "websocket") {
            return Err(HandshakeError::bad(K::Upgrade));
        }
        if !has_token(&self.headers, "connection", "upgrade") {
            return Err(HandshakeError::bad(K::Connection));
        }
        let host = match single(&self.headers, "host") {
            Ok(Some(h)) if !h.is_empty() => h.to_string(),
            _ => return Err(HandshakeError::bad(K::MissingHost)),
        };
        let key = match single(&self.headers, "sec-websocket-key") {
            Ok(Some(k)) if is_valid_key(k) => k.to_string(),
            _ => return Err(HandshakeError::bad(K::Key)),
        };
        match single(&self.headers, "sec-websocket-version") {
            Ok(Some("13" | "8")) => {}
            Ok(v) => return Err(HandshakeError::bad(K::WsVersion(v.map(str::to_string)))),
            Err(()) => return Err(HandshakeError::bad(K::WsVersion(Some("(repeated)".into())))),
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

/// Builds the `101 Switching Protocols` response. Every caller string is checked first
/// ([`check_value`] for `accept` and `extensions`, [`check_token`] for `protocol` and header names,
/// [`check_value`] for header values): a [`HeaderError`] instead of a head with CR, LF or NUL.
pub fn build_response(
    accept: &str,
    protocol: Option<&str>,
    extensions: Option<&str>,
    extra_headers: &[(&str, &str)],
) -> Result<Vec<u8>, HeaderError> {
    let mut s = String::with_capacity(160);
    s.push_str("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
    push_header(&mut s, "Sec-WebSocket-Accept", accept)?;
    if let Some(p) = protocol {
        check_token("Sec-WebSocket-Protocol", p)?;
        push_header(&mut s, "Sec-WebSocket-Protocol", p)?;
    }
    if let Some(e) = extensions.filter(|e| !e.is_empty()) {
        push_header(&mut s, "Sec-WebSocket-Extensions", e)?;
    }
    for (k, v) in extra_headers {
        push_header(&mut s, k, v)?;
    }
    s.push_str("\r\n");
    Ok(s.into_bytes())
}

/// Builds the HTTP response that refuses a handshake: the status, `Connection: close`, for a
/// version failure the `Sec-WebSocket-Version: 13, 8` header (the versions this server speaks,
/// RFC 6455 §4.4), for 405 the `Allow: GET` header (RFC 9110 §15.5.6), with the reason as the
/// body.
/// The head holds no caller or peer string (the status and reason phrase are the engine's, the
/// peer's bytes quoted in the reason go in the body, after `Content-Length`).
pub fn build_rejection(err: &HandshakeError) -> Vec<u8> {
    let status = if err.status == 0 { 400 } else { err.status };
    let body = err.to_string();
    let mut s = format!(
        "HTTP/1.1 {status} {}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n",
        err.reason_phrase(),
        body.len()
    );
    if matches!(err.kind, HandshakeErrorKind::WsVersion(_)) || status == 426 {
        s.push_str("Sec-WebSocket-Version: 13, 8\r\n");
    }
    if status == 405 {
        s.push_str("Allow: GET\r\n");
    }
    s.push_str("\r\n");
    s.push_str(&body);
    s.into_bytes()
}
