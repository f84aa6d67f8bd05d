//! Every vector of `tests/vectors/seed-vectors.json` (taken from the seed articles and RFC 6455
//! §5.7), one test each. The file is shared with the JavaScript test suites.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used
)]

mod common;
use common::*;
use serde_json::Value;
use wsprism::handshake::{accept_key, parse_request, Parsed, DEFAULT_MAX_HEAD_SIZE};
use wsprism::inspect::{inspect_stream, InspectOptions};
use wsprism::{DecoderConfig, Role};

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/seed-vectors.json"
));

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn role(v: &Value) -> Role {
    match v["role"].as_str().unwrap() {
        "server" => Role::Server,
        "client" => Role::Client,
        r => panic!("role {r}"),
    }
}

fn check_accept(i: usize) {
    let v = &vectors()["accept_keys"][i];
    assert_eq!(
        accept_key(v["key"].as_str().unwrap()),
        v["accept"].as_str().unwrap(),
        "{}",
        v["source"]
    );
}

fn check_request(i: usize) {
    let v = &vectors()["handshake_requests"][i];
    let exp = &v["expect"];
    let raw = v["raw"].as_str().unwrap().as_bytes();
    let req = match parse_request(raw, DEFAULT_MAX_HEAD_SIZE).unwrap() {
        Parsed::Complete { value, len } => {
            assert_eq!(len, raw.len());
            value
        }
        Parsed::NeedMore(_) => panic!("incomplete"),
    };
    let res = req.validate();
    if exp["valid"].as_bool().unwrap() {
        let u = res.unwrap();
        assert_eq!(u.accept, exp["accept"].as_str().unwrap());
        if let Some(p) = exp.get("offered_protocols") {
            let want: Vec<&str> = p
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            assert_eq!(u.protocols, want);
        }
        if let Some(p) = exp.get("offered_extensions") {
            let want: Vec<&str> = p
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            let got: Vec<&str> = u.extensions.iter().map(|e| e.name.as_str()).collect();
            assert_eq!(got, want);
        }
    } else {
        let e = res.unwrap_err();
        assert_eq!(
            u64::from(e.status),
            exp["http_status"].as_u64().unwrap(),
            "{e}"
        );
    }
}

fn check_frame(i: usize) {
    let v = &vectors()["frames"][i];
    let name = v["name"].as_str().unwrap();
    let exp = &v["expect"];
    let bytes = unhex(v["hex"].as_str().unwrap());
    let role = role(v);

    // The decoder, fed in every possible chunking. A header declaring more than the default
    // frame limit fails with 1009 at once; with a raised limit it waits for the payload.
    let mut cfg = DecoderConfig {
        role,
        ..Default::default()
    };
    if exp
        .get("payload_len")
        .and_then(Value::as_u64)
        .is_some_and(|n| n > cfg.max_frame_size)
    {
        let (_, e) = decode_every_split(cfg, &bytes);
        assert_eq!(
            e.map(|e| e.close_code()),
            Some(wsprism::CloseCode::MESSAGE_TOO_BIG),
            "{name}: over the default limit"
        );
        cfg.max_frame_size = u64::MAX;
        cfg.max_message_size = u64::MAX;
    }
    let (events, error) = decode_every_split(cfg, &bytes);

    // The inspector, for the field-level expectations.
    let opts = InspectOptions {
        role,
        max_frame_size: cfg.max_frame_size,
        max_message_size: cfg.max_message_size,
        ..Default::default()
    };
    let report = inspect_stream(&bytes, &opts);
    let f0 = &report.frames[0];
    let json = serde_json::to_value(f0).unwrap();
    for key in [
        "fin",
        "opcode",
        "masked",
        "masking_key",
        "payload_len",
        "header_len",
        "payload_hex",
        "close_code",
        "close_reason",
        "complete",
    ] {
        // For error vectors, close_code is the code of the error, checked below.
        if key == "close_code" && exp.get("error").is_some() {
            continue;
        }
        if let Some(want) = exp.get(key) {
            assert_eq!(&json[key], want, "{name}: field {key}");
        }
    }
    if let Some(n) = exp.get("frames") {
        assert_eq!(
            report.frames.len() as u64,
            n.as_u64().unwrap(),
            "{name}: frame count"
        );
    }
    if let Some(t) = exp.get("text") {
        let t = t.as_str().unwrap();
        let from_decoder = events.iter().any(|e| *e == Ev::Text(t.into()));
        assert!(
            from_decoder,
            "{name}: decoder should deliver text {t:?}, got {events:?}"
        );
    }
    if let Some(m) = exp.get("message") {
        assert_eq!(report.messages.len(), 1, "{name}");
        assert_eq!(report.messages[0].text.as_deref(), m.as_str(), "{name}");
    }
    if exp.get("complete") == Some(&Value::Bool(false)) {
        assert!(
            events.is_empty() && error.is_none(),
            "{name}: header only: nothing yet"
        );
        assert!(report.waiting_for.is_some(), "{name}");
    }
    match exp.get("error") {
        Some(kind) => {
            let e = error.unwrap_or_else(|| panic!("{name}: expected an error"));
            assert_eq!(e.kind.kind_name(), kind.as_str().unwrap(), "{name}");
            assert_eq!(
                u64::from(e.close_code()),
                exp["close_code"].as_u64().unwrap(),
                "{name}"
            );
            let r = report.error.as_ref().unwrap();
            assert_eq!(r.close_code, e.close_code());
            assert!(
                !report.frames[report.error_frame.unwrap().min(report.frames.len() - 1)]
                    .violations
                    .is_empty()
            );
        }
        None => assert!(error.is_none(), "{name}: unexpected error {error:?}"),
    }
    if let (Some(code), None) = (exp.get("close_code"), exp.get("error")) {
        let c = code.as_u64().unwrap() as u16;
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Ev::Close(Some(x), _) if *x == c)),
            "{name}"
        );
    }
}

#[test]
fn every_vector_has_a_test() {
    let v = vectors();
    assert_eq!(v["accept_keys"].as_array().unwrap().len(), 4);
    assert_eq!(v["handshake_requests"].as_array().unwrap().len(), 4);
    assert_eq!(
        v["frames"].as_array().unwrap().len(),
        25,
        "add a test line below for each new vector"
    );
}

macro_rules! vector_tests {
    ($check:ident: $($name:ident = $i:expr),* $(,)?) => { $( #[test] fn $name() { $check($i) } )* };
}

vector_tests!(check_accept: accept_rfc = 0, accept_seed001_node = 1, accept_seed003 = 2, accept_seed004_chrome = 3);
vector_tests!(check_request: request_seed001 = 0, request_seed004_chrome = 1, request_seed002_localhost = 2, request_post_rejected = 3);
vector_tests!(check_frame:
    frame_00_rfc_unmasked_hello = 0,
    frame_01_rfc_masked_hello = 1,
    frame_02_rfc_fragmented_hello = 2,
    frame_03_rfc_ping = 3,
    frame_04_rfc_masked_pong = 4,
    frame_05_rfc_256_binary = 5,
    frame_06_rfc_64k_header = 6,
    frame_07_seed004_masked_binary_header = 7,
    frame_08_seed004_medium_text_header = 8,
    frame_09_seed004_large_binary_header = 9,
    frame_10_non_minimal_length = 10,
    frame_11_socketio_heartbeat = 11,
    frame_12_java_ping = 12,
    frame_13_java_pong = 13,
    frame_14_close_1000_bye = 14,
    frame_15_mdn_fragmented_masked = 15,
    frame_16_unmasked_to_server = 16,
    frame_17_masked_to_client = 17,
    frame_18_rsv1_without_extension = 18,
    frame_19_reserved_opcode = 19,
    frame_20_control_126_bytes = 20,
    frame_21_fragmented_control = 21,
    frame_22_invalid_utf8 = 22,
    frame_23_close_one_byte = 23,
    frame_24_close_1005 = 24,
);
