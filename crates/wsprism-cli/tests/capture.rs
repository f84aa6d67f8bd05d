//! End-to-end tests of `wsprism capture`, on captures written by `wsprism_capture::synth`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;
use wsprism_capture::synth::{write_pcap, write_pcapng, Conversation, Dir, Endpoints, Link};
use wsprism_capture::{inspect_capture, CaptureOptions};

mod common;

use common::wsprism;

/// Writes `bytes` to a fresh temporary file and returns its path.
fn file(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("wsprism-cli-capture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

fn chat(ep: Endpoints) -> wsprism_capture::synth::Capture {
    let mut c = Conversation::new(ep, false);
    c.message(Dir::ClientToServer, 1, b"Hello");
    c.message(Dir::ServerToClient, 1, b"Hello back");
    c.message(Dir::ClientToServer, 2, &[1, 2, 3]);
    c.message(Dir::ClientToServer, 8, b"\x03\xe8bye");
    c.message(Dir::ServerToClient, 8, b"\x03\xe8bye");
    c.close();
    c.finish()
}

#[test]
fn text_output() {
    let path = file(
        "chat.pcap",
        &write_pcap(&chat(Endpoints::v4()), Link::Ethernet),
    );
    let r = wsprism(&["capture", &path], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let o = &r.stdout;
    assert!(o.contains(": pcap\n"), "{o}");
    assert!(
        o.contains("connection #0  client 10.0.0.1:50000  server 10.0.0.2:8080"),
        "{o}"
    );
    assert!(
        o.contains(
            "handshake: GET /chat → 101 Switching Protocols; accept valid; subprotocol chat"
        ),
        "{o}"
    );
    assert!(o.contains("C→S frame 0 @"), "{o}");
    assert!(
        o.contains("C→S text message 0, 5 bytes (frame 0): \"Hello\""),
        "{o}"
    );
    assert!(
        o.contains("S→C text message 1, 10 bytes (frame 1): \"Hello back\""),
        "{o}"
    );
    assert!(o.contains("close message"), "{o}");
    assert!(o.contains("code 1000 \"bye\""), "{o}");
    assert!(o.contains("end ") && o.contains("(FIN)"), "{o}");
    assert!(
        o.contains("1 WebSocket connection, 0 other TCP connections"),
        "{o}"
    );
    assert!(o.ends_with("no errors\n"), "{o}");

    let r = wsprism(&["capture", "--summary", &path], None);
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains("frame 0"), "{}", r.stdout);
    assert!(r.stdout.contains("5 frames, 5 messages"), "{}", r.stdout);
}

#[test]
fn json_equals_the_library_report() {
    let a = chat(Endpoints::v4());
    let b = chat(Endpoints::v6().nth(3));
    for (name, bytes) in [
        ("one.pcap", write_pcap(&a, Link::LinuxSll)),
        (
            "two.pcapng",
            write_pcapng(&[(&a, Link::Ethernet, 6), (&b, Link::Raw, 9)]),
        ),
    ] {
        let path = file(name, &bytes);
        for max in ["4096", "0", "3"] {
            let r = wsprism(&["capture", "--json", "--max-bytes", max, &path], None);
            assert_eq!(r.code, 0, "{}", r.stderr);
            let got: Value = serde_json::from_str(&r.stdout).unwrap();
            let opts = CaptureOptions {
                max_bytes: match max.parse().unwrap() {
                    0 => None,
                    n => Some(n),
                },
                ..CaptureOptions::default()
            };
            // Through text both ways, so floats are parsed the same way.
            let text = serde_json::to_string(&inspect_capture(&bytes, &opts).unwrap()).unwrap();
            let want: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(got, want, "{name} --max-bytes {max}");
        }
    }
}

#[test]
fn protocol_error_exits_1() {
    let mut c = Conversation::new(Endpoints::v4(), false);
    c.message(Dir::ClientToServer, 1, b"fine");
    c.send(Dir::ClientToServer, b"\x81\x03bad"); // unmasked client frame
    c.close();
    let path = file("bad.pcap", &write_pcap(&c.finish(), Link::Ethernet));
    let r = wsprism(&["capture", &path], None);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("ERROR #0"), "{}", r.stdout);
    assert!(
        r.stdout.contains("WS_ERR_EXPECTED_MASK in frame 1"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("1 error:"), "{}", r.stdout);
    let r = wsprism(&["capture", "--json", &path], None);
    assert_eq!(r.code, 1);
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        j["connections"][0]["errors"][0]["code"],
        "WS_ERR_EXPECTED_MASK"
    );
    assert_eq!(j["connections"][0]["errors"][0]["frame"], 1);
}

#[test]
fn unreadable_or_unsupported_input_exits_2() {
    let path = file("not-a-capture.txt", b"hello, world");
    let r = wsprism(&["capture", &path], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not a pcap, pcapng or HAR file"),
        "{}",
        r.stderr
    );
    let r = wsprism(&["capture", "/nonexistent/x.pcap"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
}

#[test]
fn stdin_and_har() {
    let bytes = write_pcap(&chat(Endpoints::v4()), Link::Null);
    let r = wsprism(&["capture", "--summary", "-"], Some(&bytes));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("-: pcap\n"), "{}", r.stdout);
    let har = br#"{"log":{"entries":[{"request":{"method":"GET","url":"ws://h:81/x","headers":[]},
        "response":{"status":101,"statusText":"Switching Protocols","headers":[]},
        "_webSocketMessages":[{"type":"receive","time":1.5,"opcode":1,"data":"hi"}]}]}}"#;
    let r = wsprism(&["capture", "--json", "-"], Some(har));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["format"], "har");
    assert_eq!(j["connections"][0]["server"], "h:81");
    assert_eq!(j["connections"][0]["messages"][0]["text"], "hi");
    assert_eq!(j["connections"][0]["frames"], Value::Array(vec![]));
}
