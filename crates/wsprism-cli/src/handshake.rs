//! `wsprism handshake`: validate an upgrade request or a server's response.

use crate::input::read_file_or_stdin;
use crate::{Outcome, UsageError};
use serde_json::{json, Value};
use std::fmt::Write as _;
use wsprism::deflate::{accept_response, negotiate, DeflateConfig, NAME as DEFLATE};
use wsprism::handshake::{
    build_rejection, build_response, parse_request, parse_response, Extension, HandshakeError,
    Parsed, DEFAULT_MAX_HEAD_SIZE,
};

/// Validate a WebSocket opening handshake: an upgrade request, or a server's response
#[derive(clap::Args, Debug)]
#[command(
    after_help = "The input is a request unless its first line starts with `HTTP/` (a response).\nLine endings: if the input contains no CR at all, every LF is read as CRLF (so files edited with LF-only line endings work); input with any CR is read as is. The head must end with an empty line.\n\nA response is checked against the request it answers: give that request's key with --key, the subprotocols it offered with --protocol and the extensions it offered with --extension. A permessage-deflate answer is checked against a default client offer.\n\nExit status: 0 valid, 1 rejected (the HTTP status is printed), 2 usage error.\n\nExamples:\n  wsprism handshake request.txt\n  wsprism handshake --protocol chat request.txt\n  wsprism handshake --key dGhlIHNhbXBsZSBub25jZQ== response.txt"
)]
pub struct Args {
    /// Print one JSON document instead of text
    #[arg(long)]
    json: bool,
    /// Request: a subprotocol the server supports (repeat; the client's first match is
    /// selected). Response: a subprotocol the client offered (repeat)
    #[arg(long, value_name = "NAME")]
    protocol: Vec<String>,
    /// Response: the Sec-WebSocket-Key of the request it answers (required for a response)
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    /// Response: the name of an extension the client offered (repeat), e.g. permessage-deflate
    #[arg(long, value_name = "NAME")]
    extension: Vec<String>,
    /// File holding the HTTP head, or `-` for stdin
    #[arg(value_name = "FILE|-")]
    input: String,
}

/// What a check produced: the JSON document, the text for humans, and the verdict.
struct Report {
    json: Value,
    text: String,
    outcome: Outcome,
}

/// LF-only input becomes CRLF; input with any CR is left alone. Returns whether it changed.
fn normalize(raw: Vec<u8>) -> (Vec<u8>, bool) {
    if raw.contains(&b'\r') || !raw.contains(&b'\n') {
        return (raw, false);
    }
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 16);
    for b in raw {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    (out, true)
}

fn ext_list(exts: &[Extension]) -> String {
    if exts.is_empty() {
        return "none".into();
    }
    exts.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// Indents every line of an HTTP head for display.
fn indent_head(head: &[u8]) -> String {
    String::from_utf8_lossy(head)
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| format!("    {l}\n"))
        .collect()
}

fn incomplete(kind: &str) -> Report {
    let msg = "incomplete head: no empty line ends the headers";
    Report {
        json: json!({"kind": kind, "valid": false, "status": null, "error": msg}),
        text: format!("{kind}: REJECTED: {msg}\n"),
        outcome: Outcome::Invalid,
    }
}

fn rejected_request(e: &HandshakeError, request_line: Option<String>) -> Report {
    let mut text = String::new();
    if let Some(l) = request_line {
        let _ = writeln!(text, "request: {l}");
    }
    let _ = writeln!(text, "REJECTED: {} {}: {e}", e.status, e.reason_phrase());
    let _ = writeln!(text, "  a server answers:");
    let rejection = build_rejection(e);
    let head_end = rejection
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(rejection.len());
    text.push_str(&indent_head(rejection.get(..head_end).unwrap_or_default()));
    Report {
        json: json!({
            "kind": "request",
            "valid": false,
            "status": e.status,
            "reason": e.reason_phrase(),
            "error": e.to_string(),
        }),
        text,
        outcome: Outcome::Invalid,
    }
}

fn check_request(buf: &[u8], a: &Args) -> Result<Report, UsageError> {
    let (req, len) = match parse_request(buf, DEFAULT_MAX_HEAD_SIZE) {
        Err(e) => return Ok(rejected_request(&e, None)),
        Ok(Parsed::NeedMore(_)) => return Ok(incomplete("request")),
        Ok(Parsed::Complete { value, len }) => (value, len),
    };
    let line = format!("{} {} HTTP/1.{}", req.method, req.path, req.http_minor);
    let up = match req.validate() {
        Err(e) => return Ok(rejected_request(&e, Some(line))),
        Ok(u) => u,
    };
    let supported: Vec<&str> = a.protocol.iter().map(String::as_str).collect();
    let selected = up.select_protocol(&supported);
    let deflate = negotiate(&up.extensions, &DeflateConfig::default());
    let response = build_response(
        &up.accept,
        selected,
        deflate.as_ref().map(|d| d.response.as_str()),
        &[],
    )
    .map_err(|e| UsageError(format!("cannot build the response: {e}")))?;
    let mut t = String::new();
    let _ = writeln!(t, "request: {line}");
    let _ = writeln!(t, "VALID WebSocket upgrade request (RFC 6455 §4.2.1)");
    let row = |t: &mut String, k: &str, v: &str| {
        let _ = writeln!(t, "  {k:<22} {v}");
    };
    row(&mut t, "host", &up.host);
    row(&mut t, "origin", up.origin.as_deref().unwrap_or("none"));
    row(&mut t, "Sec-WebSocket-Key", &up.key);
    row(&mut t, "Sec-WebSocket-Accept", &up.accept);
    row(&mut t, "offered protocols", &list(&up.protocols));
    row(
        &mut t,
        "selected protocol",
        &match (selected, supported.is_empty()) {
            (Some(p), _) => p.to_string(),
            (None, true) => "none (no --protocol given: the server supports none)".into(),
            (None, false) => "none (no offered protocol is supported)".into(),
        },
    );
    row(&mut t, "offered extensions", &ext_list(&up.extensions));
    row(
        &mut t,
        "selected extensions",
        &match &deflate {
            Some(d) => format!("{} (default server config)", d.response),
            None if up.extensions.iter().any(|e| e.name == DEFLATE) => {
                "none (permessage-deflate offers declined)".into()
            }
            None => "none".into(),
        },
    );
    if len < buf.len() {
        row(
            &mut t,
            "note",
            &format!("{} bytes after the head were not checked", buf.len() - len),
        );
    }
    let _ = writeln!(t, "  a server answers:");
    t.push_str(&indent_head(&response));
    Ok(Report {
        json: json!({
            "kind": "request",
            "valid": true,
            "method": req.method,
            "path": up.path,
            "host": up.host,
            "origin": up.origin,
            "key": up.key,
            "accept": up.accept,
            "offered_protocols": up.protocols,
            "selected_protocol": selected,
            "offered_extensions": up.extensions,
            "permessage_deflate": deflate.as_ref().map(|d| json!({
                "response": d.response,
                "params": d.params,
            })),
            "response": String::from_utf8_lossy(&response),
        }),
        text: t,
        outcome: Outcome::Valid,
    })
}

fn check_response(buf: &[u8], a: &Args) -> Result<Report, UsageError> {
    let Some(key) = a.key.as_deref() else {
        return Err(UsageError(
            "a response is checked against its request: give the request's key with --key KEY"
                .into(),
        ));
    };
    let resp = match parse_response(buf, DEFAULT_MAX_HEAD_SIZE) {
        Err(e) => {
            return Ok(Report {
                json: json!({"kind": "response", "valid": false, "status": null, "error": e.to_string()}),
                text: format!("response: REJECTED: {e}\n"),
                outcome: Outcome::Invalid,
            })
        }
        Ok(Parsed::NeedMore(_)) => return Ok(incomplete("response")),
        Ok(Parsed::Complete { value, .. }) => value,
    };
    let line = format!("HTTP/1.{} {} {}", resp.http_minor, resp.status, resp.reason);
    let protocols: Vec<&str> = a.protocol.iter().map(String::as_str).collect();
    let exts: Vec<&str> = a.extension.iter().map(String::as_str).collect();
    let checked = resp.validate(key, &protocols, &exts).and_then(|ok| {
        let deflate = match ok.extensions.iter().find(|e| e.name == DEFLATE) {
            Some(e) => Some(accept_response(e, &DeflateConfig::default())?),
            None => None,
        };
        Ok((ok, deflate))
    });
    let accept = resp.header("sec-websocket-accept").map(str::to_string);
    let (ok, deflate) = match checked {
        Err(e) => {
            return Ok(Report {
                json: json!({
                    "kind": "response",
                    "valid": false,
                    "status": resp.status,
                    "accept": accept,
                    "error": e.to_string(),
                }),
                text: format!(
                    "response: {line}\nREJECTED: {e}\n  the client fails the WebSocket connection\n"
                ),
                outcome: Outcome::Invalid,
            })
        }
        Ok(v) => v,
    };
    let mut t = String::new();
    let _ = writeln!(t, "response: {line}");
    let _ = writeln!(t, "VALID WebSocket upgrade response (RFC 6455 §4.1)");
    let _ = writeln!(
        t,
        "  {:<22} {} (matches key {key})",
        "Sec-WebSocket-Accept",
        accept.as_deref().unwrap_or("")
    );
    let _ = writeln!(t, "  {:<22} {}", "offered protocols", list(&a.protocol));
    let _ = writeln!(
        t,
        "  {:<22} {}",
        "selected protocol",
        ok.protocol.as_deref().unwrap_or("none")
    );
    let _ = writeln!(t, "  {:<22} {}", "offered extensions", list(&a.extension));
    let _ = writeln!(
        t,
        "  {:<22} {}",
        "selected extensions",
        ext_list(&ok.extensions)
    );
    if let Some(p) = &deflate {
        let _ = writeln!(
            t,
            "  {:<22} server_no_context_takeover={} client_no_context_takeover={} server_max_window_bits={} client_max_window_bits={}",
            "permessage-deflate",
            p.server_no_context_takeover,
            p.client_no_context_takeover,
            p.server_max_window_bits,
            p.client_max_window_bits
        );
    }
    Ok(Report {
        json: json!({
            "kind": "response",
            "valid": true,
            "status": resp.status,
            "accept": accept,
            "selected_protocol": ok.protocol,
            "selected_extensions": ok.extensions,
            "permessage_deflate": deflate,
        }),
        text: t,
        outcome: Outcome::Valid,
    })
}

/// Runs `handshake`.
pub fn run(a: &Args) -> Result<Outcome, UsageError> {
    let (buf, normalized) = normalize(read_file_or_stdin(&a.input)?);
    let report = if buf.starts_with(b"HTTP/") {
        check_response(&buf, a)?
    } else {
        check_request(&buf, a)?
    };
    if a.json {
        let doc = serde_json::to_string_pretty(&report.json)
            .map_err(|e| UsageError(format!("cannot serialize the report: {e}")))?;
        println!("{doc}");
    } else {
        if normalized {
            println!("(LF-only line endings read as CRLF)");
        }
        print!("{}", report.text);
    }
    Ok(report.outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_only_becomes_crlf_but_mixed_input_is_kept() {
        assert_eq!(
            normalize(b"GET / HTTP/1.1\nHost: x\n\n".to_vec()),
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), true)
        );
        let mixed = b"GET / HTTP/1.1\r\nHost: x\n\r\n".to_vec();
        assert_eq!(normalize(mixed.clone()), (mixed, false));
    }
}
