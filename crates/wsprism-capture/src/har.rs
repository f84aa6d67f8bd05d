//! HAR files (Chrome's `_webSocketMessages`): one connection per WebSocket entry, its handshake
//! from the entry's request and response headers, and its messages (no frames).

use crate::report::{Direction, Hex, Message, MessageKind};
use crate::ws::{build_handshake, capture_error, Emit};
use crate::{CaptureError, CaptureEvent, CaptureOptions, ConnectionInfo};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::Value;
use wsprism::handshake::{Header, Request, Response};

/// `v` at a JSON pointer, or null.
fn at<'a>(v: &'a Value, pointer: &str) -> &'a Value {
    v.pointer(pointer).unwrap_or(&Value::Null)
}

fn headers(v: &Value) -> Vec<Header> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|h| Header {
                    name: at(h, "/name").as_str().unwrap_or_default().to_string(),
                    value: at(h, "/value").as_str().unwrap_or_default().to_string(),
                    utf8: true,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn http_minor(v: &Value) -> u8 {
    match v.as_str() {
        Some(s) if s.eq_ignore_ascii_case("HTTP/1.0") => 0,
        _ => 1,
    }
}

/// Splits `ws://host:port/path?q` into (host, port, target).
fn split_url(url: &str) -> (String, u16, String) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let default_port = match scheme {
        "wss" | "https" => 443,
        _ => 80,
    };
    let (authority, target) = match rest.find(['/', '?']) {
        Some(i) => (
            rest.get(..i).unwrap_or_default(),
            rest.get(i..).unwrap_or("/"),
        ),
        None => (rest, "/"),
    };
    let target = if target.starts_with('?') {
        format!("/{target}")
    } else {
        target.to_string()
    };
    let authority = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, p)) => (
                h.to_string(),
                p.strip_prefix(':')
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(default_port),
            ),
            None => (v6.to_string(), default_port),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => match p.parse() {
                Ok(p) => (h.to_string(), p),
                Err(_) => (authority.to_string(), default_port),
            },
            None => (authority.to_string(), default_port),
        }
    };
    (host, port, target)
}

fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Seconds since the epoch for an ISO 8601 date-time (`2024-01-02T03:04:05.678Z`, `+01:00`).
pub(crate) fn parse_iso8601(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        std::str::from_utf8(b.get(r)?).ok()?.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut frac = 0.0;
    if b.get(i) == Some(&b'.') {
        let start = i;
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        frac = std::str::from_utf8(b.get(start..i)?).ok()?.parse().ok()?;
    }
    let offset = match b.get(i) {
        Some(b'+') | Some(b'-') => {
            let sign = if b.get(i) == Some(&b'-') { -1 } else { 1 };
            sign * (num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6).unwrap_or(0) * 60)
        }
        _ => 0,
    };
    // Days from civil (Howard Hinnant).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + mi * 60 + sec - offset) as f64 + frac)
}

/// Reads a HAR document, pushing the events of every WebSocket entry. Returns the number of
/// entries and the next connection id.
pub(crate) fn read(
    bytes: &[u8],
    opts: &CaptureOptions,
    events: &mut dyn Emit,
) -> Result<(u64, u64), CaptureError> {
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| CaptureError::InvalidHar(e.to_string()))?;
    let Some(entries) = at(&doc, "/log/entries").as_array() else {
        return Err(CaptureError::InvalidHar("no log.entries array".into()));
    };
    let mut id = 0u64;
    for e in entries {
        let msgs = at(e, "/_webSocketMessages").as_array();
        if msgs.is_none() && at(e, "/_resourceType").as_str() != Some("websocket") {
            continue;
        }
        let url = at(e, "/request/url").as_str().unwrap_or_default();
        let (host, port, target) = split_url(url);
        let server = match at(e, "/serverIPAddress").as_str().filter(|s| !s.is_empty()) {
            Some(ip) => host_port(ip.trim_matches(['[', ']']), port),
            None => host_port(&host, port),
        };
        let start = at(e, "/startedDateTime")
            .as_str()
            .and_then(parse_iso8601)
            .or_else(|| {
                msgs.and_then(|m| m.first())
                    .and_then(|m| at(m, "/time").as_f64())
            })
            .unwrap_or(0.0);
        let req = Request {
            method: at(e, "/request/method")
                .as_str()
                .unwrap_or("GET")
                .to_string(),
            path: target,
            http_minor: http_minor(at(e, "/request/httpVersion")),
            headers: headers(at(e, "/request/headers")),
        };
        let resp = at(e, "/response/status").as_u64().map(|status| Response {
            status: u16::try_from(status).unwrap_or(0),
            reason: at(e, "/response/statusText")
                .as_str()
                .unwrap_or_default()
                .to_string(),
            http_minor: http_minor(at(e, "/response/httpVersion")),
            headers: headers(at(e, "/response/headers")),
        });
        let (hs, problems) = build_handshake(&req, resp.as_ref());
        events.push_back(CaptureEvent::Connection(Box::new(ConnectionInfo {
            id,
            client: String::new(),
            server,
            start,
            handshake_seen: true,
        })));
        events.push_back(CaptureEvent::Handshake {
            conn: id,
            handshake: Box::new(hs),
        });
        events.push_back(CaptureEvent::Note {
            conn: id,
            note: "from HAR: messages only, no frame bits".into(),
        });
        for (code, message) in problems {
            if code == "CAPTURE_HANDSHAKE_REJECTED" {
                events.push_back(CaptureEvent::Error {
                    conn: id,
                    error: capture_error(Direction::ServerToClient, start, 0, code, message),
                });
            } else {
                // Browsers record headers loosely (HTTP/2 pseudo-headers, missing Host...):
                // worth a note, not an error.
                events.push_back(CaptureEvent::Note {
                    conn: id,
                    note: format!("handshake as recorded: {message}"),
                });
            }
        }
        let mut end = start;
        for (index, m) in msgs.into_iter().flatten().enumerate() {
            let direction = match at(m, "/type").as_str() {
                Some("send") => Direction::ClientToServer,
                _ => Direction::ServerToClient,
            };
            let time = at(m, "/time").as_f64().unwrap_or(end);
            end = end.max(time);
            let data = at(m, "/data").as_str().unwrap_or_default();
            let opcode = at(m, "/opcode").as_u64().unwrap_or(1);
            let kind = match opcode {
                2 => MessageKind::Binary,
                8 => MessageKind::Close,
                9 => MessageKind::Ping,
                10 => MessageKind::Pong,
                _ => MessageKind::Text,
            };
            let bytes = if kind == MessageKind::Binary {
                match B64.decode(data) {
                    Ok(b) => b,
                    Err(_) => data.as_bytes().to_vec(),
                }
            } else {
                data.as_bytes().to_vec()
            };
            let n = opts.max_bytes.map_or(bytes.len(), |m| m.min(bytes.len()));
            let truncated = n < bytes.len();
            let text = (kind == MessageKind::Text).then(|| {
                let mut k = n;
                while !data.is_char_boundary(k) {
                    k -= 1;
                }
                data.get(..k).unwrap_or_default().to_string()
            });
            events.push_back(CaptureEvent::Message {
                conn: id,
                message: Box::new(Message {
                    index: index as u64,
                    direction,
                    time,
                    kind,
                    length: bytes.len() as u64,
                    compressed: false,
                    frames: None,
                    text,
                    data_hex: Hex(bytes.get(..n).unwrap_or_default().to_vec()),
                    truncated,
                    close_code: None,
                    close_reason: None,
                }),
            });
        }
        events.push_back(CaptureEvent::Closed {
            conn: id,
            end,
            frames: 0,
            messages: msgs.map_or(0, |m| m.len() as u64),
            tcp: Box::default(),
        });
        id += 1;
    }
    Ok((entries.len() as u64, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_urls() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            parse_iso8601("2024-11-22T02:00:00.5Z"),
            Some(1_732_240_800.5)
        );
        assert_eq!(
            parse_iso8601("2024-11-22T03:00:00+01:00"),
            Some(1_732_240_800.0)
        );
        assert_eq!(parse_iso8601("nope"), None);
        assert_eq!(
            split_url("wss://a.b/chat?x=1"),
            ("a.b".into(), 443, "/chat?x=1".into())
        );
        assert_eq!(
            split_url("ws://[::1]:8080"),
            ("::1".into(), 8080, "/".into())
        );
        assert_eq!(split_url("ws://h:81/p"), ("h".into(), 81, "/p".into()));
    }
}
