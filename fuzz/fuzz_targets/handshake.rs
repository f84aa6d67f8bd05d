//! The opening handshake on arbitrary bytes: request and response heads, their validation,
//! `Sec-WebSocket-Extensions` parsing and permessage-deflate negotiation (both sides).
//!
//! Input layout: `[limit, bytes...]`; `limit & 0xc0 == 0` gives a small head-size limit
//! (`limit * 8`), otherwise the default 8 KiB. The same bytes are parsed as a request, as a
//! response and (lossy UTF-8) as an extensions header value.
//!
//! Invariants: no panic; parse results are consistent with the input and limit; a validated
//! request's accept is `accept_key(key)` of a valid key; a validated response carries exactly
//! `accept_key(KEY)`, an offered protocol and offered, distinct extensions; extensions
//! re-serialise to an equal parse; a negotiated permessage-deflate answer is itself a valid
//! response that a default client accepts with the same parameters, and respects the config.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsprism::deflate::{accept_response, negotiate, DeflateConfig, NAME};
use wsprism::handshake::{
    build_rejection, is_valid_key, parse_extensions, parse_request, parse_response, Extension,
    HandshakeError, Parsed, DEFAULT_MAX_HEAD_SIZE,
};
use wsprism::accept_key;

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const PROTOCOLS: &[&str] = &["chat", "superchat"];
const OFFERED_EXTS: &[&str] = &["permessage-deflate", "x-custom"];

fn configs() -> [DeflateConfig; 4] {
    let d = DeflateConfig::default();
    [
        d,
        DeflateConfig {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            server_max_window_bits: Some(10),
            client_max_window_bits: Some(9),
            level: 1,
        },
        DeflateConfig {
            server_max_window_bits: Some(15),
            client_max_window_bits: Some(8),
            ..d
        },
        DeflateConfig {
            server_max_window_bits: Some(8),
            ..d
        },
    ]
}

fn check_rejection(e: &HandshakeError) {
    let bytes = build_rejection(e);
    match parse_response(&bytes, 1 << 16) {
        Ok(Parsed::Complete { value, .. }) => {
            let want = if e.status == 0 { 400 } else { e.status };
            assert_eq!(value.status, want, "rejection status");
        }
        other => panic!("rejection for {e:?} does not parse: {other:?}"),
    }
}

fn check_negotiation(exts: &[Extension]) {
    for cfg in configs() {
        let Some(n) = negotiate(exts, &cfg) else { continue };
        let p = n.params;
        for b in [p.server_max_window_bits, p.client_max_window_bits] {
            assert!((8..=15).contains(&b), "negotiated window bits {b}: {n:?}");
        }
        if cfg.server_no_context_takeover {
            assert!(p.server_no_context_takeover);
        }
        if cfg.client_no_context_takeover {
            assert!(p.client_no_context_takeover);
        }
        if let Some(c) = cfg.server_max_window_bits {
            assert!(p.server_max_window_bits <= c, "server bits {} > configured {c}", p.server_max_window_bits);
        }
        let answer = parse_extensions(&n.response)
            .unwrap_or_else(|e| panic!("negotiated answer {:?} does not parse: {e:?}", n.response));
        assert_eq!(answer.len(), 1, "answer {:?}", n.response);
        assert_eq!(answer[0].name, NAME);
        assert_eq!(
            accept_response(&answer[0], &DeflateConfig::default()),
            Ok(p),
            "a default client reads answer {:?} differently",
            n.response
        );
    }
}

fn check_accept_response(ext: &Extension) {
    for cfg in configs() {
        let Ok(p) = accept_response(ext, &cfg) else { continue };
        for b in [p.server_max_window_bits, p.client_max_window_bits] {
            assert!((8..=15).contains(&b), "accepted window bits {b} from {ext}");
        }
        if cfg.server_no_context_takeover {
            assert!(p.server_no_context_takeover, "server_no_context_takeover requested but not in {ext}");
        }
        if cfg.client_no_context_takeover {
            assert!(p.client_no_context_takeover);
        }
        if let Some(c) = cfg.server_max_window_bits {
            assert!(p.server_max_window_bits <= c);
        }
        if let Some(c) = cfg.client_max_window_bits {
            assert!(p.client_max_window_bits <= c);
        }
    }
}

fn check_extensions(s: &str) {
    let Ok(exts) = parse_extensions(s) else { return };
    let again = exts.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", ");
    assert_eq!(
        parse_extensions(&again).as_ref(),
        Ok(&exts),
        "{s:?} re-serialised as {again:?} parses differently"
    );
    check_negotiation(&exts);
    for e in exts.iter().filter(|e| e.name == NAME) {
        check_accept_response(e);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&l, bytes)) = data.split_first() else { return };
    let max = if l & 0xc0 == 0 { usize::from(l) * 8 } else { DEFAULT_MAX_HEAD_SIZE };

    match parse_request(bytes, max) {
        Ok(Parsed::Complete { value: req, len }) => {
            assert!(len <= bytes.len() && len <= max, "len {len}, input {}, max {max}", bytes.len());
            match req.validate() {
                Ok(u) => {
                    assert_eq!(req.method, "GET");
                    assert!(is_valid_key(&u.key), "accepted invalid key {:?}", u.key);
                    assert_eq!(u.accept, accept_key(&u.key));
                    assert!(!u.host.is_empty());
                    assert!(u.protocols.iter().all(|p| !p.is_empty() && !p.contains(',')));
                    let _ = u.select_protocol(PROTOCOLS);
                    check_negotiation(&u.extensions);
                }
                Err(e) => {
                    assert!(matches!(e.status, 400 | 426), "request rejected with {}", e.status);
                    check_rejection(&e);
                }
            }
        }
        Ok(Parsed::NeedMore(n)) => assert!(n >= 1 && bytes.len() < max),
        Err(e) => {
            assert!(matches!(e.status, 400 | 431), "parse error status {}", e.status);
            check_rejection(&e);
        }
    }

    match parse_response(bytes, max) {
        Ok(Parsed::Complete { value: resp, len }) => {
            assert!(len <= bytes.len() && len <= max);
            match resp.validate(KEY, PROTOCOLS, OFFERED_EXTS) {
                Ok(acc) => {
                    assert_eq!(resp.status, 101);
                    let accepts: Vec<_> = resp
                        .headers
                        .iter()
                        .filter(|h| h.name.eq_ignore_ascii_case("sec-websocket-accept"))
                        .collect();
                    assert_eq!(accepts.len(), 1);
                    assert_eq!(accepts[0].value.trim(), accept_key(KEY));
                    if let Some(p) = &acc.protocol {
                        assert!(PROTOCOLS.contains(&p.as_str()), "protocol {p:?} was not offered");
                    }
                    for (i, e) in acc.extensions.iter().enumerate() {
                        assert!(OFFERED_EXTS.contains(&e.name.as_str()));
                        assert!(acc.extensions[..i].iter().all(|x| x.name != e.name));
                        if e.name == NAME {
                            check_accept_response(e);
                        }
                    }
                }
                Err(e) => assert_eq!(e.status, 0),
            }
        }
        Ok(Parsed::NeedMore(n)) => assert!(n >= 1 && bytes.len() < max),
        Err(e) => assert!(matches!(e.status, 400 | 431)),
    }

    check_extensions(&String::from_utf8_lossy(bytes));
});
