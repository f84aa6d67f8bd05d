//! The handshake report from a parsed upgrade request and response (the engine validates).

use super::*;
use wsprism::handshake;

pub(super) fn headers(hs: &[handshake::Header]) -> Vec<(String, String)> {
    hs.iter()
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect()
}

/// A handshake problem to report: code and message.
pub(crate) type Problem = (&'static str, String);

/// The handshake report from a parsed request and response, the deflate parameters in force,
/// and the problems found (invalid request, invalid or rejecting response).
pub(crate) fn build_handshake(req: &Request, resp: Option<&Response>) -> (Handshake, Vec<Problem>) {
    let mut problems = Vec::new();
    if let Err(e) = req.validate() {
        problems.push(("CAPTURE_HANDSHAKE_INVALID", format!("request: {e}")));
    }
    let key = req.header("sec-websocket-key").unwrap_or_default().trim();
    let mut hs = Handshake {
        request: HttpRequest {
            method: req.method.clone(),
            target: req.path.clone(),
            headers: headers(&req.headers),
        },
        response: None,
        accept_valid: false,
        subprotocol: None,
        extensions: None,
        deflate: None,
    };
    let Some(resp) = resp else {
        return (hs, problems);
    };
    hs.response = Some(HttpResponse {
        status: resp.status,
        reason: resp.reason.clone(),
        headers: headers(&resp.headers),
    });
    hs.accept_valid = resp
        .header("sec-websocket-accept")
        .is_some_and(|a| a.trim() == handshake::accept_key(key));
    hs.subprotocol = resp
        .header("sec-websocket-protocol")
        .map(|p| p.trim().to_string());
    let ext_values: Vec<&str> = resp
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("sec-websocket-extensions"))
        .map(|h| h.value.as_str())
        .collect();
    if !ext_values.is_empty() {
        hs.extensions = Some(ext_values.join(", "));
    }
    if resp.status != 101 {
        problems.push((
            "CAPTURE_HANDSHAKE_REJECTED",
            format!(
                "the server answered {} {}: no WebSocket frames follow",
                resp.status, resp.reason
            ),
        ));
        return (hs, problems);
    }
    let offered_protocols: Vec<&str> = req.header_list("sec-websocket-protocol").collect();
    let mut offered_exts = Vec::new();
    for h in req
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("sec-websocket-extensions"))
    {
        if let Ok(exts) = handshake::parse_extensions(&h.value) {
            offered_exts.extend(exts.into_iter().map(|e| e.name));
        }
    }
    let offered: Vec<&str> = offered_exts.iter().map(String::as_str).collect();
    if let Err(e) = resp.validate(key, &offered_protocols, &offered) {
        problems.push(("CAPTURE_HANDSHAKE_INVALID", format!("response: {e}")));
    }
    // The parameters in force are the server's answer (RFC 7692 §7.1): the engine's
    // client-side parsing of it, against a default offer.
    for v in &ext_values {
        match handshake::parse_extensions(v) {
            Ok(exts) => {
                for e in exts.iter().filter(|e| e.name == deflate::NAME) {
                    match deflate::accept_response(e, &DeflateConfig::default()) {
                        Ok(p) => hs.deflate = hs.deflate.or(Some(p)),
                        Err(err) => problems.push((
                            "CAPTURE_HANDSHAKE_INVALID",
                            format!("permessage-deflate: {err}"),
                        )),
                    }
                }
            }
            Err(err) => problems.push(("CAPTURE_HANDSHAKE_INVALID", format!("response: {err}"))),
        }
    }
    (hs, problems)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn an_upgrade_with_permessage_deflate() {
        let (hs, problems) = build_handshake(&request(REQUEST), Some(&response(RESPONSE)));
        assert_eq!(problems, vec![]);
        assert!(hs.accept_valid);
        assert_eq!(hs.deflate, Some(DeflateParams::default()));
        assert_eq!(hs.request.target, "/chat");
    }

    #[test]
    fn problems_with_their_codes() {
        let refused = response(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        let (hs, problems) = build_handshake(&request(REQUEST), Some(&refused));
        assert_eq!(hs.deflate, None);
        assert!(problems.iter().any(|p| p.0 == "CAPTURE_HANDSHAKE_REJECTED"));
        let no_key = request(b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
        let (_, problems) = build_handshake(&no_key, None);
        assert!(problems
            .iter()
            .any(|p| p.0 == "CAPTURE_HANDSHAKE_INVALID" && p.1.starts_with("request")));
    }
}
