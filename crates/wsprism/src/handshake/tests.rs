//! The handshake's tests across its modules (requests, responses, extensions, builders).

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
fn rules_are_judged_in_order() {
    use HandshakeErrorKind as K;
    // Only a method and one unrelated header: the missing Upgrade is reported, not the missing
    // Host, key or version (a request that is no upgrade at all is told so first).
    let e = req("GET / HTTP/1.1\r\nFoo: bar\r\n\r\n")
        .validate()
        .unwrap_err();
    assert_eq!((e.status, e.kind), (400, K::Upgrade));
    let e = req("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")
        .validate()
        .unwrap_err();
    assert_eq!(e.kind, K::Connection);
    let e = req("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        .validate()
        .unwrap_err();
    assert_eq!(e.kind, K::MissingHost);
    let e = req("POST / HTTP/1.0\r\n\r\n").validate().unwrap_err();
    assert_eq!((e.status, e.kind), (405, K::Method("POST".into())));
}

#[test]
fn rejections() {
    use HandshakeErrorKind as K;
    let e = with("GET /chat", "POST /chat").unwrap_err();
    assert_eq!((e.status, e.kind), (405, K::Method("POST".into())));
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
    assert!(with("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8").is_ok());
    let e = with("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 12").unwrap_err();
    assert_eq!((e.status, e.code()), (400, "WS_ERR_HANDSHAKE_VERSION"));
    let resp = String::from_utf8(build_rejection(&e)).unwrap();
    assert!(resp.starts_with("HTTP/1.1 400 Bad Request\r\n"));
    assert!(resp.contains("\r\nSec-WebSocket-Version: 13, 8\r\n"));
    assert!(!resp.contains("Allow:"));
    let e = with("Sec-WebSocket-Version: 13\r\n", "").unwrap_err();
    assert_eq!((e.status, e.code()), (400, "WS_ERR_HANDSHAKE_VERSION"));
    assert!(String::from_utf8(build_rejection(&e))
        .unwrap()
        .contains("\r\nSec-WebSocket-Version: 13, 8\r\n"));
    let twice = "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Version: 13";
    let e = with("Sec-WebSocket-Version: 13", twice).unwrap_err();
    assert_eq!((e.status, e.code()), (400, "WS_ERR_HANDSHAKE_VERSION"));
    let e = with("GET", "PUT").unwrap_err();
    assert_eq!((e.status, e.code()), (405, "WS_ERR_HANDSHAKE_METHOD"));
    let resp = String::from_utf8(build_rejection(&e)).unwrap();
    assert!(resp.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
    assert!(resp.contains("\r\nAllow: GET\r\n"));
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
    let u = req(std::str::from_utf8(&r.to_bytes().unwrap()).unwrap())
        .validate()
        .unwrap();
    assert_eq!(u.protocols, vec!["chat"]);
    assert_eq!(u.extensions[0].name, "permessage-deflate");
    let resp = build_response(&u.accept, Some("chat"), Some("permessage-deflate"), &[]).unwrap();
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
    // A Sec-WebSocket-Protocol header that names nothing is not "no subprotocol": it selects
    // none of those offered (RFC 6455 §4.1), whatever was offered.
    let accept = accept_key(key);
    for protocol_header in ["Sec-WebSocket-Protocol:", "Sec-WebSocket-Protocol: ,"] {
        let raw = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n{protocol_header}\r\n\r\n"
        );
        let Parsed::Complete { value, .. } = parse_response(raw.as_bytes(), 8192).unwrap() else {
            panic!()
        };
        for offered in [&["chat", "superchat"][..], &[]] {
            let e = value.validate(key, offered, &[]).unwrap_err();
            assert_eq!((e.status, e.code()), (0, "WS_ERR_HANDSHAKE_PROTOCOL"));
        }
    }
}

/// Whoever calls, no builder writes CR, LF or NUL into a head: each caller string is refused
/// with the typed error and its code.
#[test]
fn builders_refuse_header_injection() {
    let a = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    let ok = build_response(a, Some("chat"), Some("permessage-deflate"), &[("X-A", "1")]).unwrap();
    assert!(ok.ends_with(b"X-A: 1\r\n\r\n"));
    let code = |r: Result<Vec<u8>, HeaderError>| r.unwrap_err().code();
    for evil in ["x\r\nSet-Cookie: a=b", "x\n", "x\r", "x\0"] {
        assert_eq!(
            code(build_response(evil, None, None, &[])),
            "ERR_INVALID_CHAR"
        );
        assert_eq!(
            code(build_response(a, None, Some(evil), &[])),
            "ERR_INVALID_CHAR"
        );
        assert_eq!(
            code(build_response(a, None, None, &[("X-A", evil)])),
            "ERR_INVALID_CHAR"
        );
        assert_eq!(
            code(build_response(a, Some(evil), None, &[])),
            "ERR_INVALID_HTTP_TOKEN"
        );
        assert_eq!(
            code(build_response(a, None, None, &[(evil, "1")])),
            "ERR_INVALID_HTTP_TOKEN"
        );
    }
    assert_eq!(
        code(build_response(a, Some("a b"), None, &[])),
        "ERR_INVALID_HTTP_TOKEN"
    );
    assert_eq!(
        code(build_response(a, None, None, &[("Bad Name", "1")])),
        "ERR_INVALID_HTTP_TOKEN"
    );

    let base = ClientRequest {
        host: "h",
        key: "dGhlIHNhbXBsZSBub25jZQ==",
        ..Default::default()
    };
    assert!(base
        .to_bytes()
        .unwrap()
        .starts_with(b"GET / HTTP/1.1\r\nHost: h\r\n"));
    let evil = "x\r\nX-Injected: 1";
    let bad = [
        ClientRequest {
            host: evil,
            ..base.clone()
        },
        ClientRequest {
            key: evil,
            ..base.clone()
        },
        ClientRequest {
            extensions: Some(evil),
            ..base.clone()
        },
        ClientRequest {
            origin: Some(evil),
            ..base.clone()
        },
        ClientRequest {
            extra_headers: &[("X-A", evil)],
            ..base.clone()
        },
    ];
    for r in &bad {
        assert_eq!(
            r.to_bytes().unwrap_err().code(),
            "ERR_INVALID_CHAR",
            "{r:?}"
        );
    }
    let bad = [
        ClientRequest {
            protocols: &["a b"],
            ..base.clone()
        },
        ClientRequest {
            protocols: &["chat", evil],
            ..base.clone()
        },
        ClientRequest {
            extra_headers: &[("X:A", "1")],
            ..base.clone()
        },
    ];
    for r in &bad {
        assert_eq!(
            r.to_bytes().unwrap_err().code(),
            "ERR_INVALID_HTTP_TOKEN",
            "{r:?}"
        );
    }
    for path in ["/a b", "/a\r\nX: 1", "/\0"] {
        let r = ClientRequest {
            path,
            ..base.clone()
        };
        assert_eq!(r.to_bytes().unwrap_err(), HeaderError::Target, "{path:?}");
    }
}

#[test]
fn handshake_error_codes() {
    let big = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(9000));
    let e = parse_request(big.as_bytes(), 8192).unwrap_err();
    assert_eq!((e.status, e.code()), (431, "WS_ERR_HANDSHAKE_TOO_LARGE"));
    let e = parse_request(b"NOT HTTP AT ALL\r\n\r\n", 8192).unwrap_err();
    assert_eq!((e.status, e.code()), (400, "WS_ERR_INVALID_HANDSHAKE"));
    let e = with("GET /chat", "POST /chat").unwrap_err();
    assert_eq!((e.status, e.code()), (405, "WS_ERR_HANDSHAKE_METHOD"));
    let e = with("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 7").unwrap_err();
    assert_eq!((e.status, e.code()), (400, "WS_ERR_HANDSHAKE_VERSION"));
    let cases: [(&str, &str, &str); 7] = [
        ("HTTP/1.1", "HTTP/1.0", "WS_ERR_HANDSHAKE_HTTP_VERSION"),
        ("Host: server.example.com\r\n", "", "WS_ERR_HANDSHAKE_HOST"),
        (
            "Upgrade: websocket",
            "Upgrade: h2c",
            "WS_ERR_HANDSHAKE_UPGRADE",
        ),
        (
            "Connection: Upgrade",
            "Connection: close",
            "WS_ERR_HANDSHAKE_CONNECTION",
        ),
        ("dGhlIHNhbXBsZSBub25jZQ==", "short", "WS_ERR_HANDSHAKE_KEY"),
        (
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: a b",
            "WS_ERR_HANDSHAKE_PROTOCOL_HEADER",
        ),
        (
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: ;",
            "WS_ERR_HANDSHAKE_EXTENSIONS_HEADER",
        ),
    ];
    for (from, to, code) in cases {
        let e = with(from, to).unwrap_err();
        assert_eq!((e.status, e.code()), (400, code), "{to:?}");
    }
}

/// A rejection's head carries no peer bytes: whatever the request held, the head is the
/// engine's status line and headers; the reason (which may quote the peer) is the body.
#[test]
fn rejection_head_is_fixed() {
    let e = with(
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Version: é\tHTTP/1.1 200",
    )
    .unwrap_err();
    let resp = build_rejection(&e);
    assert!(String::from_utf8_lossy(&resp)
        .ends_with("\"é\\tHTTP/1.1 200\" (must be 13 or 8, RFC 6455 §4.4)"));
    let end = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = std::str::from_utf8(&resp[..end]).unwrap();
    assert!(
        head.starts_with("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"),
        "{head}"
    );
    assert!(
        head.lines()
            .all(|l| l.bytes().all(|b| (0x20..0x7f).contains(&b))),
        "{head:?}"
    );
}
