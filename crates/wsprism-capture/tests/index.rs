//! `CaptureIndex`: every window equals the same slice of `inspect_capture`'s report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use serde_json::{json, Value};
use wsprism::DeflateParams;
use wsprism_capture::index::{CaptureIndex, DirectionFilter, Filter, KindFilter};
use wsprism_capture::synth::{write_pcap, write_pcapng, ConvOptions, Dir, Endpoints, Link};
use wsprism_capture::{inspect_capture, CaptureOptions, Connection, Frame, Message};

fn filters() -> Vec<Filter> {
    let mut out = vec![Filter::default()];
    for direction in [
        None,
        Some(DirectionFilter::ClientToServer),
        Some(DirectionFilter::ServerToClient),
    ] {
        for kind in [None, Some(KindFilter::Data), Some(KindFilter::Control)] {
            for compressed in [false, true] {
                for errors in [false, true] {
                    out.push(Filter {
                        direction,
                        kind,
                        compressed,
                        errors,
                    });
                }
            }
        }
    }
    out
}

fn dir_ok(f: &Filter, d: wsprism_capture::Direction) -> bool {
    match f.direction {
        None => true,
        Some(DirectionFilter::ClientToServer) => d == wsprism_capture::Direction::ClientToServer,
        Some(DirectionFilter::ServerToClient) => d == wsprism_capture::Direction::ServerToClient,
    }
}

fn frame_has_error(c: &Connection, i: u64) -> bool {
    c.errors.iter().any(|e| e.frame == Some(i))
}

fn want_frame(c: &Connection, f: &Filter, x: &Frame) -> bool {
    dir_ok(f, x.direction)
        && match f.kind {
            None => true,
            Some(KindFilter::Data) => x.opcode < 8,
            Some(KindFilter::Control) => x.opcode >= 8,
        }
        && (!f.compressed || x.rsv1)
        && (!f.errors || frame_has_error(c, x.index))
}

fn want_message(c: &Connection, f: &Filter, m: &Message) -> bool {
    let data = matches!(
        m.kind,
        wsprism_capture::MessageKind::Text | wsprism_capture::MessageKind::Binary
    );
    dir_ok(f, m.direction)
        && match f.kind {
            None => true,
            Some(KindFilter::Data) => data,
            Some(KindFilter::Control) => !data,
        }
        && (!f.compressed || m.compressed)
        && (!f.errors
            || m.frames.is_some_and(|[a, b]| {
                (a..=b).any(|i| {
                    frame_has_error(c, i)
                        && c.frames
                            .iter()
                            .any(|f| f.index == i && f.direction == m.direction)
                })
            }))
}

/// The index of `bytes` against the report of the same bytes: summary, every frame and
/// message alone, windows of several sizes under every filter, out-of-range queries.
fn check(bytes: &[u8], opts: &CaptureOptions) -> CaptureIndex {
    let report = inspect_capture(bytes, opts).unwrap();
    let mut ix = CaptureIndex::build(bytes, opts).unwrap();
    // Summary: the report without frames and messages, plus counts.
    let mut s = serde_json::to_value(ix.summary()).unwrap();
    let mut r = serde_json::to_value(&report).unwrap();
    assert_eq!(ix.connection_count(), report.connections.len());
    for (k, c) in report.connections.iter().enumerate() {
        let sc = s["connections"][k].as_object_mut().unwrap();
        assert_eq!(sc["frame_count"], json!(c.frames.len()));
        assert_eq!(sc["message_count"], json!(c.messages.len()));
        let cf = c
            .frames
            .iter()
            .filter(|f| f.direction == wsprism_capture::Direction::ClientToServer)
            .count();
        assert_eq!(sc["client_frames"], json!(cf));
        let cm = c
            .messages
            .iter()
            .filter(|m| m.direction == wsprism_capture::Direction::ClientToServer)
            .count();
        assert_eq!(sc["client_messages"], json!(cm));
        assert_eq!(
            sc["truncated_frames"],
            json!(c.frames.iter().filter(|f| f.truncated).count())
        );
        for key in [
            "frame_count",
            "message_count",
            "client_frames",
            "client_messages",
            "truncated_frames",
        ] {
            sc.remove(key);
        }
        r["connections"][k]["frames"] = json!([]);
        r["connections"][k]["messages"] = json!([]);
    }
    assert_eq!(s, r);

    for (k, c) in report.connections.iter().enumerate() {
        // One at a time.
        for (i, f) in c.frames.iter().enumerate() {
            assert_eq!(ix.frame(k, i as u64).as_ref(), Some(f));
            let errs: Vec<_> = c
                .errors
                .iter()
                .filter(|e| e.frame == Some(i as u64))
                .cloned()
                .collect();
            assert_eq!(ix.frame_errors(k, i as u64), errs);
        }
        for (i, m) in c.messages.iter().enumerate() {
            assert_eq!(ix.message(k, i as u64).as_ref(), Some(m));
        }
        assert_eq!(ix.frame(k, c.frames.len() as u64), None);
        assert_eq!(ix.message(k, c.messages.len() as u64), None);
        assert_eq!(ix.frame(k, u64::MAX), None);
        // Which message ends with each frame (the last one, as the visualizer maps them).
        let mut ends = vec![None; c.frames.len()];
        for m in &c.messages {
            if let Some([_, b]) = m.frames {
                ends[b as usize] = Some(m.index);
            }
        }
        // Windows under every filter.
        for f in filters() {
            let fl: Vec<&Frame> = c.frames.iter().filter(|x| want_frame(c, &f, x)).collect();
            let ml: Vec<&Message> = c
                .messages
                .iter()
                .filter(|x| want_message(c, &f, x))
                .collect();
            for size in [1usize, 3, 7, 1000] {
                let mut start = 0;
                loop {
                    let w = ix.frames(k, start as u64, size as u64, &f);
                    assert_eq!(w.total, fl.len() as u64);
                    let end = (start + size).min(fl.len());
                    let want: Vec<Frame> = fl[start.min(end)..end]
                        .iter()
                        .map(|x| (*x).clone())
                        .collect();
                    assert_eq!(
                        serde_json::to_string(&w.frames).unwrap(),
                        serde_json::to_string(&want).unwrap()
                    );
                    let want_ends: Vec<Option<u64>> =
                        want.iter().map(|x| ends[x.index as usize]).collect();
                    assert_eq!(w.message_ends, want_ends);
                    let mw = ix.messages(k, start as u64, size as u64, &f);
                    assert_eq!(mw.total, ml.len() as u64);
                    let mend = (start + size).min(ml.len());
                    let mwant: Vec<Message> = ml[start.min(mend)..mend]
                        .iter()
                        .map(|x| (*x).clone())
                        .collect();
                    assert_eq!(
                        serde_json::to_string(&mw.messages).unwrap(),
                        serde_json::to_string(&mwant).unwrap()
                    );
                    start += size;
                    if start > fl.len().max(ml.len()) {
                        break;
                    }
                }
            }
            // Out of range: empty, with the total.
            let w = ix.frames(k, u64::MAX, u64::MAX, &f);
            assert!(w.frames.is_empty());
            assert_eq!(w.total, fl.len() as u64);
            let w = ix.messages(k, fl.len() as u64 + ml.len() as u64 + 1, 5, &f);
            assert!(w.messages.is_empty());
            let w = ix.frames(k, 0, 0, &f);
            assert!(w.frames.is_empty());
            assert_eq!(w.total, fl.len() as u64);
        }
        // The whole list in one window is the report's list, as JSON.
        let all = ix.frames(k, 0, u64::MAX, &Filter::default());
        assert_eq!(
            serde_json::to_value(&all.frames).unwrap(),
            serde_json::to_value(&c.frames).unwrap()
        );
        let all = ix.messages(k, 0, u64::MAX, &Filter::default());
        assert_eq!(
            serde_json::to_value(&all.messages).unwrap(),
            serde_json::to_value(&c.messages).unwrap()
        );
    }
    // No such connection.
    let n = report.connections.len();
    assert!(ix.frames(n, 0, 10, &Filter::default()).frames.is_empty());
    assert_eq!(ix.frames(n, 0, 10, &Filter::default()).total, 0);
    assert!(ix
        .messages(usize::MAX, 0, 10, &Filter::default())
        .messages
        .is_empty());
    assert_eq!(ix.frame(n, 0), None);
    assert_eq!(ix.message(n, 0), None);
    assert!(ix.frame_errors(n, 0).is_empty());
    ix
}

fn both(bytes: &[u8]) {
    for max_bytes in [Some(4096), Some(10), Some(1), None] {
        check(
            bytes,
            &CaptureOptions {
                max_bytes,
                ..CaptureOptions::default()
            },
        );
    }
}

#[test]
fn exchange_fragments_and_two_connections() {
    let mut s = Script::simple();
    s.exchange();
    let mut t = Script::new(
        Endpoints::v6().nth(1),
        ConvOptions {
            mss: 30,
            ..ConvOptions::default()
        },
    );
    t.send_frag(
        Dir::ClientToServer,
        1,
        "fragmentéd text ".repeat(10).as_bytes(),
        Some(7),
    );
    t.send(Dir::ServerToClient, 9, b"");
    t.send_frag(Dir::ServerToClient, 2, &[3; 100], Some(33));
    t.send(Dir::ClientToServer, 8, b"");
    let (a, _, _) = s.finish();
    let (b, _, _) = t.finish();
    both(&write_pcap(&a, Link::Ethernet));
    both(&write_pcapng(&[
        (&a, Link::Ethernet, 6),
        (&b, Link::Ethernet, 9),
    ]));
}

#[test]
fn deflate_with_and_without_takeover() {
    for p in [
        DeflateParams::default(),
        DeflateParams {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            ..DeflateParams::default()
        },
    ] {
        let mut s = Script::new(
            Endpoints::v4(),
            ConvOptions {
                deflate: Some(p),
                mss: 50,
                ..ConvOptions::default()
            },
        );
        let text = "the same wörds again and again ".repeat(20);
        for _ in 0..3 {
            s.send(Dir::ClientToServer, 1, text.as_bytes());
            s.send(Dir::ServerToClient, 1, text.as_bytes());
        }
        s.send_frag(Dir::ServerToClient, 2, &[7; 3000], Some(500));
        s.send(Dir::ClientToServer, 8, "\x03\u{e8}reason with ü".as_bytes());
        let (cap, _, _) = s.finish();
        let ix = check(
            &write_pcap(&cap, Link::Ethernet),
            &CaptureOptions::default(),
        );
        assert!(ix.summary().connections[0].counts.frame_count >= 8);
        both(&write_pcap(&cap, Link::Ethernet));
    }
}

#[test]
fn errors_gaps_and_resynchronisation() {
    // A protocol error: an unmasked client frame.
    let mut s = Script::simple();
    s.send(Dir::ClientToServer, 1, b"ok");
    s.conv.send(Dir::ClientToServer, b"\x81\x02no");
    s.send(Dir::ServerToClient, 1, b"still fine");
    let cap = s.conv.finish();
    let bytes = write_pcap(&cap, Link::Ethernet);
    let mut ix = check(&bytes, &CaptureOptions::default());
    let only = Filter {
        errors: true,
        ..Filter::default()
    };
    let w = ix.frames(0, 0, 10, &only);
    assert_eq!(w.total, 1);
    assert!(!w.frames[0].masked);
    assert_eq!(ix.messages(0, 0, 10, &only).total, 0);
    both(&bytes);

    // A server frame with an error between a client message's fragments: the client message
    // holds no error frame of its own, so `errors` does not list it.
    let mut s = Script::simple();
    s.conv
        .send(Dir::ClientToServer, b"\x01\x82\x00\x00\x00\x00ab");
    s.conv.send(Dir::ServerToClient, b"\xa1\x01x");
    s.conv
        .send(Dir::ClientToServer, b"\x80\x82\x00\x00\x00\x00cd");
    let bytes = write_pcap(&s.conv.finish(), Link::Ethernet);
    let mut ix = check(&bytes, &CaptureOptions::default());
    assert_eq!(ix.frames(0, 0, 10, &only).total, 1);
    assert_eq!(ix.messages(0, 0, 10, &only).total, 0);
    assert_eq!(ix.messages(0, 0, 10, &Filter::default()).total, 1);

    // A gap in the server's stream.
    let mut s = Script::simple();
    for i in 0..30u32 {
        s.send(
            Dir::ServerToClient,
            1,
            format!("server says {i}").as_bytes(),
        );
    }
    let (mut cap, _, _) = s.finish();
    let idx = cap
        .segs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.dir == Dir::ServerToClient && s.payload.first() == Some(&0x81))
        .nth(10)
        .unwrap()
        .0;
    cap.segs.remove(idx);
    both(&write_pcap(&cap, Link::Ethernet));

    // Captured mid-stream, starting inside a frame.
    let (cap, _) = mid_stream_chat();
    both(&write_pcap(&cap, Link::Ethernet));

    // The capture ends inside a frame.
    let mut s = Script::simple();
    s.send(Dir::ServerToClient, 2, &[5; 2000]);
    let (mut cap, _, _) = s.finish();
    while cap.segs.last().is_some_and(|s| s.payload.len() < 100) {
        cap.segs.pop();
    }
    cap.segs.pop();
    both(&write_pcap(&cap, Link::Ethernet));
}

#[test]
fn har_and_not_a_capture() {
    let har = json!({"log": {"version": "1.2", "entries": [
        {"startedDateTime": "2024-11-22T02:00:00.000Z",
         "request": {"method": "GET", "url": "wss://example.test/chat", "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Host", "value": "example.test"},
                        {"name": "Upgrade", "value": "websocket"},
                        {"name": "Connection", "value": "Upgrade"},
                        {"name": "Sec-WebSocket-Key", "value": "dGhlIHNhbXBsZSBub25jZQ=="},
                        {"name": "Sec-WebSocket-Version", "value": "13"}]},
         "response": {"status": 101, "statusText": "Switching Protocols", "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Upgrade", "value": "websocket"},
                        {"name": "Connection", "value": "Upgrade"},
                        {"name": "Sec-WebSocket-Accept", "value": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}]},
         "serverIPAddress": "93.184.216.34",
         "_webSocketMessages": [
            {"type": "send", "time": 1732240800.5, "opcode": 1, "data": "héllo"},
            {"type": "receive", "time": 1732240800.75, "opcode": 2, "data": "AAEC/w=="}
         ]}
    ]}});
    let bytes = serde_json::to_vec(&har).unwrap();
    let mut ix = check(&bytes, &CaptureOptions::default());
    both(&bytes);
    let w = ix.messages(
        0,
        0,
        10,
        &Filter {
            direction: Some(DirectionFilter::ServerToClient),
            ..Filter::default()
        },
    );
    assert_eq!(w.total, 1);
    assert_eq!(w.messages[0].frames, None);
    assert_eq!(ix.frames(0, 0, 10, &Filter::default()).total, 0);

    let e = CaptureIndex::build(b"hello there", &CaptureOptions::default()).unwrap_err();
    assert_eq!(e.code(), "CAPTURE_UNSUPPORTED_FORMAT");
    let e =
        CaptureIndex::build(&[0xd4, 0xc3, 0xb2, 0xa1, 2], &CaptureOptions::default()).unwrap_err();
    assert_eq!(e.code(), "CAPTURE_TRUNCATED");
}

#[test]
fn filter_from_json() {
    let f: Filter = serde_json::from_value(
        json!({"direction": "server_to_client", "kind": "control", "errors": true}),
    )
    .unwrap();
    assert_eq!(f.direction, Some(DirectionFilter::ServerToClient));
    assert_eq!(f.kind, Some(KindFilter::Control));
    assert!(f.errors && !f.compressed);
    assert!(serde_json::from_value::<Filter>(json!({"direction": "up"})).is_err());
    assert!(serde_json::from_value::<Filter>(json!({"nope": 1})).is_err());
    assert!(serde_json::from_value::<Filter>(json!({}))
        .unwrap()
        .is_all());
    let _: Value = json!(null);
}

#[test]
fn many_small_frames() {
    let mut s = Script::simple();
    for i in 0..3000u32 {
        s.queue(
            if i % 3 == 0 {
                Dir::ServerToClient
            } else {
                Dir::ClientToServer
            },
            if i % 50 == 0 { 9 } else { 1 },
            format!("{i}").as_bytes(),
        );
        if i % 40 == 39 {
            s.conv.flush(Dir::ClientToServer);
            s.conv.flush(Dir::ServerToClient);
        }
    }
    s.conv.flush(Dir::ClientToServer);
    s.conv.flush(Dir::ServerToClient);
    let (cap, _, _) = s.finish();
    let bytes = write_pcap(&cap, Link::Ethernet);
    let mut ix = CaptureIndex::build(&bytes, &CaptureOptions::default()).unwrap();
    let report = inspect_capture(&bytes, &CaptureOptions::default()).unwrap();
    let c = &report.connections[0];
    assert_eq!(c.frames.len(), 3000);
    for start in (0..3100u64).step_by(128) {
        let w = ix.frames(0, start, 128, &Filter::default());
        let end = (start as usize + 128).min(3000);
        assert_eq!(
            w.frames.as_slice(),
            &c.frames[(start as usize).min(end)..end]
        );
    }
    let ctrl = Filter {
        kind: Some(KindFilter::Control),
        ..Filter::default()
    };
    let w = ix.messages(0, 0, 1000, &ctrl);
    assert_eq!(w.total, 60);
    assert!(w
        .messages
        .iter()
        .all(|m| m.kind == wsprism_capture::MessageKind::Ping));
}
