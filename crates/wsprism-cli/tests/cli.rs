//! End-to-end tests of the `wsprism` binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/seed-vectors.json"
);

mod common;

use common::wsprism;

fn vectors() -> Value {
    serde_json::from_str(&std::fs::read_to_string(VECTORS).unwrap()).unwrap()
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn rfc_masked_hello_as_json() {
    let r = wsprism(
        &[
            "inspect",
            "--role",
            "server",
            "--json",
            "818537fa213d7f9f4d5158",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let frames = j["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 1);
    let f = &frames[0];
    assert_eq!(f["masking_key"], "37fa213d");
    assert_eq!(f["offset"], 0);
    assert_eq!(f["fin"], true);
    assert_eq!(f["rsv1"], false);
    assert_eq!(f["opcode"], 1);
    assert_eq!(f["masked"], true);
    assert_eq!(f["payload_len"], 5);
    assert_eq!(f["header_len"], 6);
    assert_eq!(f["payload_hex"], "48656c6c6f");
    assert!(f.get("close_code").is_none() && f.get("close_reason").is_none());
    let m = j["messages"].as_array().unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["text"], "Hello");
    assert_eq!(m[0]["opcode"], 1);
    assert_eq!(m[0]["data_hex"], "48656c6c6f");
    assert!(j["error"].is_null());
    // Exactly the documented top-level keys.
    let mut keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["error", "frames", "messages"]);
}

#[test]
fn default_role_is_server() {
    // Unmasked frame: fine for a client, a protocol error for the (default) server.
    let r = wsprism(&["inspect", "--json", "810548656c6c6f"], None);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["error"]["close_code"], 1002);
    let r = wsprism(
        &["inspect", "--json", "--role", "client", "810548656c6c6f"],
        None,
    );
    assert_eq!(r.code, 0);
}

#[test]
fn every_seed_frame_vector() {
    let v = vectors();
    let mut errors = 0;
    for vec in v["frames"].as_array().unwrap() {
        let name = vec["name"].as_str().unwrap();
        let hex = vec["hex"].as_str().unwrap();
        let role = vec["role"].as_str().unwrap();
        let e = &vec["expect"];
        let mut r = wsprism(&["inspect", "--json", "--role", role, hex], None);
        if e.get("error").is_none() && r.json()["error"]["kind"] == "message_too_big" {
            // A header-only vector beyond the decoder's default 16 MiB frame limit: the limit
            // is right to refuse it (1009); decode it again with the limits raised.
            assert!(e["payload_len"].as_u64().unwrap() > 16 << 20, "{name}");
            assert_eq!(r.code, 1, "{name}");
            let big = u64::MAX.to_string();
            r = wsprism(
                &[
                    "inspect",
                    "--json",
                    "--role",
                    role,
                    "--max-frame-size",
                    &big,
                    "--max-message-size",
                    &big,
                    hex,
                ],
                None,
            );
        }
        let j = r.json();
        let frames = j["frames"].as_array().unwrap();
        if let Some(kind) = e.get("error") {
            errors += 1;
            assert_eq!(r.code, 1, "{name}: exit status");
            assert_eq!(j["error"]["close_code"], e["close_code"], "{name}");
            assert_eq!(&j["error"]["kind"], kind, "{name}");
            assert!(j["error"]["message"].as_str().unwrap().len() > 3, "{name}");
            let at = j["error"]["offset"].as_u64().unwrap();
            // Only frames decoded before the error are listed.
            for f in frames {
                let end = f["offset"].as_u64().unwrap()
                    + f["header_len"].as_u64().unwrap()
                    + f["payload_len"].as_u64().unwrap();
                assert!(end <= at, "{name}: frame after the error listed");
            }
            continue;
        }
        assert_eq!(r.code, 0, "{name}: exit status, {}", r.stdout);
        assert!(j["error"].is_null(), "{name}");
        if e.get("complete") == Some(&Value::Bool(false)) {
            assert!(frames.is_empty(), "{name}: incomplete frame listed");
            continue;
        }
        if let Some(n) = e.get("frames") {
            assert_eq!(frames.len() as u64, n.as_u64().unwrap(), "{name}");
        } else {
            assert_eq!(frames.len(), 1, "{name}");
        }
        let f = &frames[0];
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
        ] {
            if let Some(want) = e.get(key) {
                assert_eq!(&f[key], want, "{name}: {key}");
            }
        }
        if f["opcode"] != 8 {
            assert!(f.get("close_code").is_none(), "{name}: close_code key");
        }
        if !f["masked"].as_bool().unwrap() {
            assert!(f["masking_key"].is_null(), "{name}");
        }
        let messages = j["messages"].as_array().unwrap();
        if let Some(text) = e.get("text").or_else(|| e.get("message")) {
            assert_eq!(messages.len(), 1, "{name}");
            assert_eq!(&messages[0]["text"], text, "{name}");
        }
        if matches!(f["opcode"].as_u64(), Some(8..=10)) {
            assert!(messages.is_empty(), "{name}: control frame as message");
        }
    }
    assert!(errors >= 10, "only {errors} error vectors found");
}

#[test]
fn fragmented_message_reassembled_and_control_frames_are_not_messages() {
    // RFC 5.7 fragmented "Hel" + "lo", with a ping and a close 1000 "bye" after it.
    let r = wsprism(
        &[
            "inspect",
            "--json",
            "--role",
            "client",
            "010348656c80026c6f 890548656c6c6f 880503e8627965",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let j = r.json();
    let frames = j["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 4);
    assert_eq!(frames[0]["fin"], false);
    assert_eq!(frames[1]["opcode"], 0);
    assert_eq!(frames[1]["offset"], 5);
    assert_eq!(frames[3]["close_code"], 1000);
    assert_eq!(frames[3]["close_reason"], "bye");
    let m = j["messages"].as_array().unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["text"], "Hello");
}

#[test]
fn deflate_flag_inflates_compressed_messages() {
    // RFC 7692 §7.2.3.1: "Hello" compressed, one unmasked frame with RSV1.
    let hex = "c107f248cdc9c90700";
    let r = wsprism(
        &["inspect", "--json", "--role", "client", "--deflate", hex],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let j = r.json();
    assert_eq!(j["frames"][0]["rsv1"], true);
    assert_eq!(j["frames"][0]["payload_hex"], "f248cdc9c90700");
    assert_eq!(j["messages"][0]["text"], "Hello");
    // Without the extension, RSV1 is a protocol error.
    let r = wsprism(&["inspect", "--json", "--role", "client", hex], None);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["error"]["close_code"], 1002);
}

#[test]
fn binary_message_has_no_text_key() {
    let r = wsprism(
        &["inspect", "--json", "--role", "client", "8203010203"],
        None,
    );
    assert_eq!(r.code, 0);
    let m = &r.json()["messages"][0];
    assert_eq!(m["opcode"], 2);
    assert_eq!(m["data_hex"], "010203");
    assert!(m.get("text").is_none());
}

#[test]
fn frames_after_the_error_are_cut_from_json_but_shown_to_humans() {
    // A good text frame, then an RSV1 frame (error), then a good ping.
    let hex = "810133 c100 8900";
    let r = wsprism(&["inspect", "--json", "--role", "client", hex], None);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(j["frames"].as_array().unwrap().len(), 1);
    assert_eq!(j["messages"][0]["text"], "3");
    assert_eq!(j["error"]["offset"], 3);
    assert_eq!(j["error"]["close_code"], 1002);
    let r = wsprism(&["inspect", "--role", "client", hex], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("frame #2 at byte 5: ping"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("ERROR at byte 3"), "{}", r.stdout);
    assert!(
        r.stdout.contains("in frame #1; frame #0 decoded cleanly"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("close code 1002"), "{}", r.stdout);
    assert!(r.stdout.contains("RFC 6455 §5.2"), "{}", r.stdout);
}

#[test]
fn human_output_shows_the_fields() {
    let r = wsprism(&["inspect", "818537fa213d7f9f4d5158"], None);
    assert_eq!(r.code, 0);
    for want in [
        "frame #0 at byte 0: text",
        "Masking-key",
        "37fa213d",
        "payload (masked)    7f9f4d5158",
        "payload (unmasked)  48656c6c6f",
        "text                \"Hello\"",
        "message: text, 5 bytes",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
}

#[test]
fn incomplete_frame_is_not_an_error() {
    let r = wsprism(
        &["inspect", "--role", "client", "827f0000000000010000"],
        None,
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("INCOMPLETE"), "{}", r.stdout);
    assert!(r.stdout.contains("waiting for"), "{}", r.stdout);
}

#[test]
fn stdin_dash_reads_raw_bytes() {
    let bytes = hex_bytes("818537fa213d7f9f4d5158");
    let r = wsprism(&["inspect", "--json", "-"], Some(&bytes));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["frames"][0]["masking_key"], "37fa213d");
    assert_eq!(j["messages"][0]["text"], "Hello");
    // Raw means raw: the hex text itself is not hex-decoded.
    let r = wsprism(
        &["inspect", "--json", "--role", "client", "-"],
        Some(b"810548656c6c6f"),
    );
    assert_ne!(r.json()["frames"][0]["payload_len"], 5);
}

#[test]
fn bad_hex_is_a_usage_error() {
    for bad in ["8105486", "81zz", "81:05"] {
        let r = wsprism(&["inspect", bad], None);
        assert_eq!(r.code, 2, "{bad}");
        assert!(r.stderr.contains("invalid hex"), "{bad}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    let r = wsprism(&["inspect", "--role", "nobody", "8900"], None);
    assert_eq!(r.code, 2);
    // Whitespace and a 0x prefix are fine.
    let r = wsprism(
        &["inspect", "--role", "client", "0x81 05 4865\n6c6c6f"],
        None,
    );
    assert_eq!(r.code, 0);
}

#[test]
fn accept_key_of_rfc_and_seed_vectors() {
    let r = wsprism(&["accept", "dGhlIHNhbXBsZSBub25jZQ=="], None);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n");
    for k in vectors()["accept_keys"].as_array().unwrap() {
        let r = wsprism(&["accept", k["key"].as_str().unwrap()], None);
        assert_eq!(r.stdout.trim(), k["accept"].as_str().unwrap());
    }
    let r = wsprism(&["accept", "--steps", "dGhlIHNhbXBsZSBub25jZQ=="], None);
    assert_eq!(r.code, 0);
    assert!(r
        .stdout
        .contains("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    assert!(r
        .stdout
        .contains("b37a4f2cc0624f1690f64606cf385945b2bec4ea"));
    assert!(r.stdout.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
}

#[test]
fn encode_rfc_masked_hello() {
    let r = wsprism(
        &["encode", "--opcode", "text", "--mask", "37fa213d", "Hello"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "818537fa213d7f9f4d5158\n");
    let r = wsprism(&["encode", "--opcode", "text", "Hello"], None);
    assert_eq!(r.stdout, "810548656c6c6f\n");
    let r = wsprism(&["encode", "--opcode", "binary", "--hex", "de ad"], None);
    assert_eq!(r.stdout, "8202dead\n");
    let r = wsprism(
        &["encode", "--opcode", "text", "--no-fin", "--rsv1", "Hel"],
        None,
    );
    assert_eq!(r.stdout, "410348656c\n");
    let r = wsprism(&["encode", "--opcode", "3"], None);
    assert_eq!(r.stdout, "8300\n");
}

#[test]
fn encode_close_with_code_and_reason() {
    let r = wsprism(
        &[
            "encode", "--opcode", "close", "--code", "1000", "--reason", "bye",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "880503e8627965\n");
    let r = wsprism(&["encode", "--opcode", "close", "--code", "1005"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("1005"), "{}", r.stderr);
    let r = wsprism(&["encode", "--opcode", "text", "--code", "1000"], None);
    assert_eq!(r.code, 2);
}

#[test]
fn encode_refuses_invalid_control_frames() {
    let big = "a".repeat(126);
    let r = wsprism(&["encode", "--opcode", "ping", &big], None);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("§5.5"), "{}", r.stderr);
    let r = wsprism(&["encode", "--opcode", "ping", "--no-fin", "x"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("§5.5"), "{}", r.stderr);
    let r = wsprism(
        &["encode", "--opcode", "ping", "--allow-invalid", &big],
        None,
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("897e007e6161"), "{}", r.stdout);
    let ok = "a".repeat(125);
    let r = wsprism(&["encode", "--opcode", "pong", &ok], None);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("8a7d61"), "{}", r.stdout);
    let r = wsprism(&["encode", "--opcode", "16"], None);
    assert_eq!(r.code, 2);
    let r = wsprism(&["encode", "--opcode", "text", "--mask", "37fa", "x"], None);
    assert_eq!(r.code, 2);
}

#[test]
fn encode_random_mask_round_trips_through_inspect() {
    let r = wsprism(
        &["encode", "--opcode", "text", "--mask-random", "Hello"],
        None,
    );
    assert_eq!(r.code, 0);
    let frame = r.stdout.trim().to_string();
    assert_eq!(frame.len(), 22);
    assert!(frame.starts_with("8185"));
    let r = wsprism(&["inspect", "--json", &frame], None);
    assert_eq!(r.code, 0);
    let j = r.json();
    assert_eq!(j["messages"][0]["text"], "Hello");
    assert_eq!(j["frames"][0]["masking_key"], frame[4..12]);
}

fn request(i: usize) -> String {
    vectors()["handshake_requests"][i]["raw"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn handshake_valid_request() {
    let raw = request(0);
    let r = wsprism(&["handshake", "-"], Some(raw.as_bytes()));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    assert!(r.stdout.contains("chat, superchat"));
    let r = wsprism(
        &["handshake", "--json", "--protocol", "superchat", "-"],
        Some(raw.as_bytes()),
    );
    assert_eq!(r.code, 0);
    let j = r.json();
    assert_eq!(j["valid"], true);
    assert_eq!(j["accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_eq!(j["offered_protocols"][1], "superchat");
    assert_eq!(j["selected_protocol"], "superchat");
    assert!(j["permessage_deflate"].is_null());
    // Every seed request: valid ones print their accept value, invalid ones their status.
    for h in vectors()["handshake_requests"].as_array().unwrap() {
        let raw = h["raw"].as_str().unwrap();
        let r = wsprism(&["handshake", "--json", "-"], Some(raw.as_bytes()));
        let j = r.json();
        if h["expect"]["valid"] == true {
            assert_eq!(r.code, 0);
            assert_eq!(j["accept"], h["expect"]["accept"]);
        } else {
            assert_eq!(r.code, 1);
            assert_eq!(j["status"], h["expect"]["http_status"]);
        }
    }
}

#[test]
fn handshake_deflate_offer_is_negotiated() {
    let raw = request(0).replace(
        "Origin:",
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\nOrigin:",
    );
    let r = wsprism(&["handshake", "--json", "-"], Some(raw.as_bytes()));
    assert_eq!(r.code, 0);
    let j = r.json();
    assert_eq!(
        j["permessage_deflate"]["response"],
        "permessage-deflate; server_max_window_bits=10"
    );
    assert_eq!(j["offered_extensions"][0]["name"], "permessage-deflate");
    assert!(j["response"]
        .as_str()
        .unwrap()
        .contains("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n"));
}

#[test]
fn handshake_post_is_rejected_with_405() {
    let raw = request(3);
    let r = wsprism(&["handshake", "-"], Some(raw.as_bytes()));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("405 Method Not Allowed"), "{}", r.stdout);
    assert!(r.stdout.contains("Allow: GET"), "{}", r.stdout);
    assert!(r.stdout.contains("POST"), "{}", r.stdout);
    let r = wsprism(&["handshake", "--json", "-"], Some(raw.as_bytes()));
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["status"], 405);
    assert_eq!(r.json()["valid"], false);
}

#[test]
fn handshake_version_12_is_rejected_with_400_from_an_lf_only_file() {
    let raw = request(0)
        .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 12")
        .replace("\r\n", "\n");
    let path = std::env::temp_dir().join(format!("wsprism-cli-test-{}.txt", std::process::id()));
    std::fs::write(&path, raw).unwrap();
    let p = path.to_str().unwrap();
    let r = wsprism(&["handshake", "--json", p], None);
    let r2 = wsprism(&["handshake", p], None);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["status"], 400);
    assert_eq!(r2.code, 1);
    assert!(r2.stdout.contains("400 Bad Request"), "{}", r2.stdout);
    assert!(
        r2.stdout.contains("Sec-WebSocket-Version: 13, 8"),
        "{}",
        r2.stdout
    );
    assert!(
        r2.stdout.contains("LF-only line endings read as CRLF"),
        "{}",
        r2.stdout
    );
    // CRLF input is read as is, without the note.
    let r = wsprism(&["handshake", "-"], Some(request(0).as_bytes()));
    assert!(!r.stdout.contains("LF-only"), "{}", r.stdout);
}

const RESPONSE: &str = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n";

#[test]
fn handshake_response() {
    let key = "dGhlIHNhbXBsZSBub25jZQ==";
    let args = [
        "handshake",
        "--json",
        "--key",
        key,
        "--protocol",
        "chat",
        "-",
    ];
    let r = wsprism(&args, Some(RESPONSE.as_bytes()));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let j = r.json();
    assert_eq!(j["kind"], "response");
    assert_eq!(j["valid"], true);
    assert_eq!(j["selected_protocol"], "chat");
    let r = wsprism(
        &["handshake", "--key", key, "--protocol", "chat", "-"],
        Some(RESPONSE.as_bytes()),
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("VALID"), "{}", r.stdout);
    // Wrong key: the accept value does not match.
    let r = wsprism(
        &[
            "handshake",
            "--key",
            "x3JJHMbDL1EzLkh9GBhXDw==",
            "--protocol",
            "chat",
            "-",
        ],
        Some(RESPONSE.as_bytes()),
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("Sec-WebSocket-Accept"), "{}", r.stdout);
    // A protocol the client did not offer.
    let r = wsprism(&["handshake", "--key", key, "-"], Some(RESPONSE.as_bytes()));
    assert_eq!(r.code, 1);
    // Without the key a response cannot be checked.
    let r = wsprism(&["handshake", "-"], Some(RESPONSE.as_bytes()));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--key"));
    // A refusal.
    let refused = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
    let r = wsprism(
        &["handshake", "--json", "--key", key, "-"],
        Some(refused.as_bytes()),
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["status"], 403);
}
