//! The client side (RFC 6455 §4.1): building an upgrade request and validating the server's
//! response.

use super::extensions::{parse_extensions, Extension};
use super::http::{
    check_target, check_token, comma_list, has_token, push_header, single, values, HeaderError,
    Response,
};
use super::key::accept_key;
use super::{HandshakeError, HandshakeErrorKind};

/// What a client puts in its upgrade request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientRequest<'a> {
    /// Value of the Host header (`host[:port]`).
    pub host: &'a str,
    /// Request target, e.g. `/chat?x=1`.
    pub path: &'a str,
    /// The key ([`super::generate_key`] or [`super::key_from_bytes`]).
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
    /// The request head bytes. Every field is checked first: the path with [`check_target`]
    /// (empty means `/`), the subprotocols and header names with [`check_token`], the other
    /// values with [`check_value`] — a [`HeaderError`] instead of a head with CR, LF or NUL.
    pub fn to_bytes(&self) -> Result<Vec<u8>, HeaderError> {
        let path = if self.path.is_empty() { "/" } else { self.path };
        check_target(path)?;
        let mut s = String::with_capacity(192);
        s.push_str("GET ");
        s.push_str(path);
        s.push_str(" HTTP/1.1\r\n");
        push_header(&mut s, "Host", self.host)?;
        s.push_str("Upgrade: websocket\r\nConnection: Upgrade\r\n");
        push_header(&mut s, "Sec-WebSocket-Key", self.key)?;
        s.push_str("Sec-WebSocket-Version: 13\r\n");
        if !self.protocols.is_empty() {
            for p in self.protocols {
                check_token("Sec-WebSocket-Protocol", p)?;
            }
            push_header(&mut s, "Sec-WebSocket-Protocol", &self.protocols.join(", "))?;
        }
        if let Some(e) = self.extensions.filter(|e| !e.is_empty()) {
            push_header(&mut s, "Sec-WebSocket-Extensions", e)?;
        }
        if let Some(o) = self.origin {
            push_header(&mut s, "Origin", o)?;
        }
        for (k, v) in self.extra_headers {
            push_header(&mut s, k, v)?;
        }
        s.push_str("\r\n");
        Ok(s.into_bytes())
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
            // A Sec-WebSocket-Protocol header that names nothing selects no offered subprotocol.
            [] if values(&self.headers, "sec-websocket-protocol")
                .next()
                .is_some() =>
            {
                return Err(fail(K::Protocol(String::new())))
            }
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
