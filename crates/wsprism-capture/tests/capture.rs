//! Captures written from known bytes, read back: frames and messages must equal what was sent.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use wsprism::DeflateParams;
use wsprism_capture::synth::{
    write_pcap, write_pcap_with, write_pcapng, ConvOptions, Dir, Endpoints, Link, PcapFlavor,
    TcpSeg,
};
use wsprism_capture::{inspect_capture, CaptureError, CaptureOptions, Direction, Format};

#[test]
fn pcap_ethernet_ipv4_whole_conversation() {
    let mut s = Script::simple();
    s.exchange();
    let (cap, wire, msgs) = s.finish();
    let r = report(&write_pcap(&cap, Link::Ethernet));
    assert_eq!(r.format, Format::Pcap);
    assert_eq!(r.link_types, vec!["ethernet"]);
    assert_eq!(r.packets as usize, cap.segs.len());
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.connections.len(), 1);
    let c = &r.connections[0];
    assert_eq!(c.client, "10.0.0.1:50000");
    assert_eq!(c.server, "10.0.0.2:8080");
    assert!(c.handshake_seen);
    let hs = c.handshake.as_ref().unwrap();
    assert_eq!(hs.request.method, "GET");
    assert_eq!(hs.request.target, "/chat");
    assert_eq!(hs.response.as_ref().unwrap().status, 101);
    assert!(hs.accept_valid);
    assert_eq!(hs.subprotocol.as_deref(), Some("chat"));
    assert_eq!(hs.extensions, None);
    assert_eq!(hs.deflate, None);
    assert_same(c, &wire, &msgs);
    assert_eq!(c.tcp.closed, Some(wsprism_capture::report::TcpClose::Fin));
    assert_eq!(c.messages[0].text.as_deref(), Some("héllo wörld"));
    let close = c
        .messages
        .iter()
        .find(|m| m.kind.name() == "close")
        .unwrap();
    assert_eq!(close.close_code, Some(1000));
    assert_eq!(close.close_reason.as_deref(), Some("bye"));
    // Frame fields.
    let f = &c.frames[0];
    assert_eq!(f.direction, Direction::ClientToServer);
    assert!(f.masked && f.fin && f.opcode == 1 && f.opcode_name == "text");
    assert_eq!(f.header_len, 6);
    assert_eq!(f.payload_hex.0, "héllo wörld".as_bytes());
    assert!(c.start > 1.7e9 && c.end >= c.start);
    // The first frame follows the request in the client's stream.
    assert!(f.stream_offset > 100);
    // JSON keys as documented.
    let j = serde_json::to_value(&r).unwrap();
    assert_eq!(
        j["connections"][0]["frames"][0]["direction"],
        "client_to_server"
    );
    assert_eq!(j["connections"][0]["tcp"]["closed"], "fin");
    assert!(j["connections"][0]["frames"][0]["raw_hex"]
        .as_str()
        .unwrap()
        .starts_with("81"));
    assert_eq!(j["connections"][0]["messages"][0]["kind"], "text");
}

#[test]
fn every_link_type_ipv4_and_ipv6() {
    for ep in [Endpoints::v4(), Endpoints::v6()] {
        for link in [
            Link::Ethernet,
            Link::LinuxSll,
            Link::LinuxSll2,
            Link::Null,
            Link::Loop,
            Link::Raw,
            Link::Raw12,
        ] {
            let mut s = Script::new(ep, ConvOptions::default());
            s.exchange();
            let (cap, wire, msgs) = s.finish();
            let r = report(&write_pcap(&cap, link));
            assert!(r.errors.is_empty(), "{link:?}: {:?}", r.errors);
            assert_eq!(r.connections.len(), 1, "{link:?} {ep:?}");
            assert_same(&r.connections[0], &wire, &msgs);
            if ep.client.is_ipv6() {
                assert_eq!(r.connections[0].client, "[2001:db8::1]:50000");
            }
        }
    }
}

#[test]
fn pcap_magics_and_byte_orders() {
    let mut s = Script::simple();
    s.exchange();
    let (cap, wire, msgs) = s.finish();
    for nanos in [false, true] {
        for big_endian in [false, true] {
            let bytes = write_pcap_with(
                &cap.segs,
                &cap.ep,
                Link::Ethernet,
                PcapFlavor { nanos, big_endian },
            );
            let r = report(&bytes);
            assert!(r.errors.is_empty());
            let c = &r.connections[0];
            assert_same(c, &wire, &msgs);
            // The first packet's time, to the resolution of the file.
            let t0 = cap.segs[0].time_ns as f64 / 1e9;
            let tol = if nanos { 1e-6 } else { 1e-5 };
            assert!((c.start - t0).abs() < tol, "{} vs {t0}", c.start);
            let last = cap.segs.last().unwrap().time_ns as f64 / 1e9;
            assert!((c.end - last).abs() < tol);
        }
    }
}

#[test]
fn pcapng_two_interfaces_two_link_types_and_resolutions() {
    let mut a = Script::new(Endpoints::v4(), ConvOptions::default());
    a.exchange();
    let mut b = Script::new(
        Endpoints::v6().nth(7),
        ConvOptions {
            start_ns: ConvOptions::default().start_ns + 500,
            ..ConvOptions::default()
        },
    );
    b.exchange();
    let (ca, wa, ma) = a.finish();
    let (cb, wb, mb) = b.finish();
    let bytes = write_pcapng(&[(&ca, Link::Ethernet, 6), (&cb, Link::LinuxSll2, 9)]);
    let r = report(&bytes);
    assert_eq!(r.format, Format::Pcapng);
    assert_eq!(r.link_types, vec!["ethernet", "linux_sll2"]);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.connections.len(), 2);
    assert_same(&r.connections[0], &wa, &ma);
    assert_same(&r.connections[1], &wb, &mb);
    // Nanosecond interface: times exact to the nanosecond (within f64 precision).
    let t0 = cb.segs[0].time_ns as f64 / 1e9;
    assert!((r.connections[1].start - t0).abs() < 1e-6);
    assert_eq!(r.connections[1].id, 1);
}

/// Reorders, duplicates and overlaps data segments (after the handshake).
fn mangle(segs: &[TcpSeg]) -> Vec<TcpSeg> {
    let mut out: Vec<TcpSeg> = Vec::new();
    let mut i = 0;
    while i < segs.len() {
        let s = &segs[i];
        if i > 6 && i % 5 == 0 && i + 1 < segs.len() {
            // Swap with the next one.
            out.push(segs[i + 1].clone());
            out.push(s.clone());
            i += 2;
            continue;
        }
        out.push(s.clone());
        if i > 6 && i % 7 == 0 {
            // A retransmission.
            out.push(s.clone());
        }
        if i > 6 && i % 3 == 0 && s.payload.len() > 4 {
            // An overlapping segment carrying conflicting bytes for the part already seen
            // (first seen wins) and nothing new.
            let mut o = s.clone();
            o.seq = o.seq.wrapping_add(2);
            o.payload = o.payload[2..].iter().map(|b| b ^ 0xff).collect();
            out.push(o);
        }
        i += 1;
    }
    out
}

#[test]
fn reordered_duplicated_overlapping_segments_and_sequence_wrap() {
    let mut s = Script::new(
        Endpoints::v4(),
        ConvOptions {
            isn: [u32::MAX - 300, u32::MAX - 2000],
            mss: 97,
            ..ConvOptions::default()
        },
    );
    s.exchange();
    let (mut cap, wire, msgs) = s.finish();
    cap.segs = mangle(&cap.segs);
    let r = report(&write_pcap(&cap, Link::Ethernet));
    let c = &r.connections[0];
    assert_same(c, &wire, &msgs);
    let t = c.tcp.client_to_server;
    let u = c.tcp.server_to_client;
    assert!(t.out_of_order + u.out_of_order > 0);
    assert!(t.retransmitted + u.retransmitted > 0);
    assert!(t.overlaps + u.overlaps > 0 || t.retransmitted + u.retransmitted > 2);
    assert_eq!(t.gaps + u.gaps, 0);
}

#[test]
fn frames_split_across_segments_and_many_frames_per_segment() {
    let mut s = Script::new(
        Endpoints::v4(),
        ConvOptions {
            mss: 5,
            ..ConvOptions::default()
        },
    );
    s.send_frag(Dir::ClientToServer, 1, b"fragmented message here", Some(4));
    s.exchange();
    let (cap, wire, msgs) = s.finish();
    let r = report(&write_pcap(&cap, Link::Raw));
    let c = &r.connections[0];
    assert_same(c, &wire, &msgs);
    let m = c
        .messages
        .iter()
        .find(|m| m.data_hex.0 == b"fragmented message here")
        .unwrap();
    let [a, b] = m.frames.unwrap();
    assert!(b > a);
    assert_eq!(c.frames[a as usize].opcode, 1);
    assert_eq!(c.frames[b as usize].opcode, 0);

    let mut s = Script::simple();
    for i in 0..200u32 {
        s.queue(Dir::ClientToServer, 1, format!("m{i}").as_bytes());
        s.queue(Dir::ServerToClient, 2, &i.to_be_bytes());
    }
    s.conv.flush(Dir::ClientToServer);
    s.conv.flush(Dir::ServerToClient);
    let (cap, wire, msgs) = s.finish();
    let r = report(&write_pcap(&cap, Link::Ethernet));
    let c = &r.connections[0];
    assert_same(c, &wire, &msgs);
    assert_eq!(c.frames.len(), 400);
}

fn deflate_case(p: DeflateParams) {
    let mut s = Script::new(
        Endpoints::v4(),
        ConvOptions {
            deflate: Some(p),
            mss: 50,
            ..ConvOptions::default()
        },
    );
    let text = "the same words again and again and again ".repeat(20);
    for _ in 0..4 {
        s.send(Dir::ClientToServer, 1, text.as_bytes());
        s.send(Dir::ServerToClient, 1, text.as_bytes());
    }
    s.send(Dir::ServerToClient, 2, &[7; 3000]);
    let (cap, wire, msgs) = s.finish();
    let r = report(&write_pcap(&cap, Link::Ethernet));
    let c = &r.connections[0];
    let hs = c.handshake.as_ref().unwrap();
    assert_eq!(hs.deflate, Some(p));
    assert!(hs
        .extensions
        .as_deref()
        .unwrap()
        .starts_with("permessage-deflate"));
    assert_same(c, &wire, &msgs);
    assert!(c.messages.iter().all(|m| m.compressed));
    assert!(c.frames.iter().all(|f| f.rsv1));
    // With context takeover, repeated messages shrink.
    let sizes: Vec<u64> = c
        .frames
        .iter()
        .filter(|f| f.direction == Direction::ClientToServer)
        .map(|f| f.payload_len)
        .collect();
    if p.client_no_context_takeover {
        assert_eq!(sizes[0], sizes[1]);
    } else {
        assert!(sizes[1] < sizes[0], "{sizes:?}");
    }
}

#[test]
fn deflate_with_context_takeover() {
    deflate_case(DeflateParams::default());
}

#[test]
fn deflate_without_context_takeover() {
    deflate_case(DeflateParams {
        server_no_context_takeover: true,
        client_no_context_takeover: true,
        ..DeflateParams::default()
    });
}

#[test]
fn mid_stream_capture_resynchronises() {
    let (cap, msgs) = mid_stream_chat();
    let r = report(&write_pcap(&cap, Link::Ethernet));
    assert_eq!(r.connections.len(), 1);
    let c = &r.connections[0];
    assert!(!c.handshake_seen);
    assert!(c.handshake.is_none());
    assert!(
        c.notes.iter().any(|n| n == "no handshake seen"),
        "{:?}",
        c.notes
    );
    assert!(c
        .notes
        .iter()
        .any(|n| n.starts_with("resynchronised at stream offset")));
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(c.client, "10.0.0.1:50000", "client found from the masking");
    // What was decoded is the tail of what was sent, in each direction.
    let got = messages(c);
    for d in [Direction::ClientToServer, Direction::ServerToClient] {
        let g = in_dir(&got, d);
        let m = in_dir(&msgs, d);
        assert!(
            g.len() >= m.len() - 2 && !g.is_empty(),
            "{d:?}: {} of {}",
            g.len(),
            m.len()
        );
        assert_eq!(g[..], m[m.len() - g.len()..]);
    }
}

#[test]
fn rst_closes() {
    let mut s = Script::simple();
    s.send(Dir::ClientToServer, 1, b"hi");
    s.conv.reset(Dir::ServerToClient);
    let cap = s.conv.finish();
    let r = report(&write_pcap(&cap, Link::Ethernet));
    let c = &r.connections[0];
    assert_eq!(c.tcp.closed, Some(wsprism_capture::report::TcpClose::Rst));
    assert_eq!(c.messages.len(), 1);
}

#[test]
fn gap_is_reported_and_decoding_resumes() {
    let mut s = Script::simple();
    for i in 0..30u32 {
        s.send(
            Dir::ServerToClient,
            1,
            format!("server says {i}").as_bytes(),
        );
    }
    let (mut cap, _, msgs) = s.finish();
    // Lose the 10th server frame's packet.
    let idx = cap
        .segs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.dir == Dir::ServerToClient && s.payload.first() == Some(&0x81))
        .nth(10)
        .unwrap()
        .0;
    cap.segs.remove(idx);
    let r = report(&write_pcap(&cap, Link::Ethernet));
    let c = &r.connections[0];
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].code, "CAPTURE_TCP_GAP");
    assert_eq!(c.tcp.server_to_client.gaps, 1);
    let got = in_dir(&messages(c), Direction::ServerToClient);
    assert_eq!(got.len(), 29);
    let mut want = in_dir(&msgs, Direction::ServerToClient);
    want.remove(10);
    assert_eq!(got, want);
}

#[test]
fn protocol_error_points_at_its_frame() {
    let mut s = Script::simple();
    s.send(Dir::ClientToServer, 1, b"ok");
    // An unmasked client frame.
    s.conv.send(Dir::ClientToServer, b"\x81\x02no");
    s.send(Dir::ServerToClient, 1, b"still fine");
    let cap = s.conv.finish();
    let r = report(&write_pcap(&cap, Link::Ethernet));
    let c = &r.connections[0];
    assert_eq!(c.errors.len(), 1);
    let e = &c.errors[0];
    assert_eq!(e.code, "WS_ERR_EXPECTED_MASK");
    assert_eq!(e.close_code, 1002);
    assert_eq!(e.direction, Direction::ClientToServer);
    let f = &c.frames[e.frame.unwrap() as usize];
    assert!(!f.masked);
    assert_eq!(e.stream_offset, f.stream_offset);
    assert_eq!(c.messages.len(), 2);
    assert!(r.has_errors());
}

#[test]
fn plain_http_is_not_a_connection() {
    let mut s = Script::new(
        Endpoints::v4(),
        ConvOptions {
            upgrade: false,
            ..ConvOptions::default()
        },
    );
    s.conv
        .send(Dir::ClientToServer, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    s.conv.send(
        Dir::ServerToClient,
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
    );
    let cap = s.conv.finish();
    let r = report(&write_pcap(&cap, Link::Ethernet));
    assert!(r.connections.is_empty());
    assert_eq!(r.other_tcp_connections, 1);
}

#[test]
fn rejected_upgrade_is_reported() {
    let mut s = Script::new(
        Endpoints::v4(),
        ConvOptions {
            upgrade: false,
            ..ConvOptions::default()
        },
    );
    s.conv.send(
        Dir::ClientToServer,
        b"GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    s.conv.send(
        Dir::ServerToClient,
        b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
    );
    let cap = s.conv.finish();
    let r = report(&write_pcap(&cap, Link::Ethernet));
    let c = &r.connections[0];
    assert_eq!(
        c.handshake
            .as_ref()
            .unwrap()
            .response
            .as_ref()
            .unwrap()
            .status,
        403
    );
    assert_eq!(c.errors[0].code, "CAPTURE_HANDSHAKE_REJECTED");
}

#[test]
fn max_bytes_truncates() {
    let mut s = Script::simple();
    s.send(Dir::ServerToClient, 1, "x".repeat(100).as_bytes());
    let cap = s.conv.finish();
    let r = inspect_capture(
        &write_pcap(&cap, Link::Ethernet),
        &CaptureOptions {
            max_bytes: Some(10),
            ..CaptureOptions::default()
        },
    )
    .unwrap();
    let c = &r.connections[0];
    assert_eq!(c.frames[0].raw_hex.0.len(), 10);
    assert!(c.frames[0].truncated);
    assert_eq!(c.messages[0].text.as_deref(), Some("xxxxxxxxxx"));
    assert_eq!(c.messages[0].length, 100);
    assert!(c.messages[0].truncated);
}

#[test]
fn unsupported_and_truncated_inputs() {
    assert_eq!(
        inspect_capture(b"hello world", &unlimited()),
        Err(CaptureError::UnsupportedFormat)
    );
    assert_eq!(
        inspect_capture(b"", &unlimited()),
        Err(CaptureError::UnsupportedFormat)
    );
    assert!(matches!(
        inspect_capture(b"{nope", &unlimited()),
        Err(CaptureError::InvalidHar(_))
    ));
    let mut s = Script::simple();
    s.exchange();
    let (cap, ..) = s.finish();
    let bytes = write_pcap(&cap, Link::Ethernet);
    let r = report(&bytes[..bytes.len() - 7]);
    assert_eq!(r.errors[0].code, "CAPTURE_TRUNCATED");
    assert_eq!(r.connections.len(), 1);
    // Unsupported link type.
    let mut b = bytes.clone();
    b[20] = 200;
    let r = report(&b);
    assert_eq!(r.errors[0].code, "CAPTURE_UNSUPPORTED_LINKTYPE");
    assert!(r.connections.is_empty());
}

#[test]
fn har_messages() {
    let har = serde_json::json!({"log": {"version": "1.2", "entries": [
        {"startedDateTime": "2024-11-22T02:00:00.000Z",
         "request": {"method": "GET", "url": "wss://example.test/chat", "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Host", "value": "example.test"},
                        {"name": "Upgrade", "value": "websocket"},
                        {"name": "Connection", "value": "Upgrade"},
                        {"name": "Sec-WebSocket-Key", "value": "dGhlIHNhbXBsZSBub25jZQ=="},
                        {"name": "Sec-WebSocket-Version", "value": "13"},
                        {"name": "Sec-WebSocket-Extensions", "value": "permessage-deflate; client_max_window_bits"}]},
         "response": {"status": 101, "statusText": "Switching Protocols", "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Upgrade", "value": "websocket"},
                        {"name": "Connection", "value": "Upgrade"},
                        {"name": "Sec-WebSocket-Accept", "value": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
                        {"name": "Sec-WebSocket-Extensions", "value": "permessage-deflate"}]},
         "serverIPAddress": "93.184.216.34",
         "_resourceType": "websocket",
         "_webSocketMessages": [
            {"type": "send", "time": 1732240800.5, "opcode": 1, "data": "héllo"},
            {"type": "receive", "time": 1732240800.75, "opcode": 2, "data": "AAEC/w=="}
         ]},
        {"request": {"method": "GET", "url": "https://example.test/"}, "response": {"status": 200}}
    ]}});
    let bytes = serde_json::to_vec_pretty(&har).unwrap();
    let r = report(&bytes);
    assert_eq!(r.format, Format::Har);
    assert_eq!(r.packets, 2);
    assert!(r.link_types.is_empty());
    assert_eq!(r.connections.len(), 1);
    let c = &r.connections[0];
    assert_eq!(c.server, "93.184.216.34:443");
    assert_eq!(c.start, 1_732_240_800.0);
    assert_eq!(c.end, 1_732_240_800.75);
    assert!(c.frames.is_empty());
    assert!(c
        .notes
        .contains(&"from HAR: messages only, no frame bits".to_string()));
    let hs = c.handshake.as_ref().unwrap();
    assert!(hs.accept_valid);
    assert_eq!(hs.deflate, Some(DeflateParams::default()));
    assert_eq!(c.messages.len(), 2);
    assert_eq!(c.messages[0].text.as_deref(), Some("héllo"));
    assert_eq!(c.messages[0].direction, Direction::ClientToServer);
    assert_eq!(c.messages[1].data_hex.0, vec![0, 1, 2, 255]);
    assert_eq!(c.messages[1].frames, None);
    let j = serde_json::to_value(&r).unwrap();
    assert_eq!(
        j["connections"][0]["messages"][0]["frames"],
        serde_json::Value::Null
    );
    assert_eq!(j["format"], "har");
}

#[test]
fn streaming_reader_matches_report() {
    use wsprism_capture::{CaptureEvent, CaptureReader};
    let mut s = Script::simple();
    s.exchange();
    let (cap, ..) = s.finish();
    let bytes = write_pcapng(&[(&cap, Link::Ethernet, 6)]);
    let mut rd = CaptureReader::new(std::io::Cursor::new(&bytes), unlimited()).unwrap();
    let (mut frames, mut msgs, mut closed) = (0, 0, 0);
    while let Some(ev) = rd.next_event() {
        match ev {
            CaptureEvent::Frame { .. } => frames += 1,
            CaptureEvent::Message { .. } => msgs += 1,
            CaptureEvent::Closed { .. } => closed += 1,
            _ => {}
        }
    }
    let r = report(&bytes);
    assert_eq!(frames, r.connections[0].frames.len());
    assert_eq!(msgs, r.connections[0].messages.len());
    assert_eq!(closed, 1);
    assert_eq!(rd.summary().packets, r.packets);
}

/// Reads a few bytes per call.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn small_reads_give_the_same_report() {
    use wsprism_capture::{CaptureReader, ReportBuilder};
    let mut s = Script::new(
        Endpoints::v4(),
        ConvOptions {
            mss: 700,
            ..ConvOptions::default()
        },
    );
    s.exchange();
    let (cap, ..) = s.finish();
    for bytes in [
        write_pcap(&cap, Link::Ethernet),
        write_pcapng(&[(&cap, Link::LinuxSll, 6)]),
    ] {
        let want = report(&bytes);
        for step in [1, 7, 1000] {
            let mut rd = CaptureReader::new(Trickle { data: &bytes, step }, unlimited()).unwrap();
            let mut b = ReportBuilder::new();
            while let Some(ev) = rd.next_event() {
                b.push(ev);
            }
            let mut sum = rd.summary();
            assert_eq!(sum.bytes, bytes.len() as u64);
            sum.bytes = bytes.len() as u64;
            assert_eq!(b.finish(sum), want, "step {step}");
        }
    }
}

#[test]
fn other_traffic_captured_mid_stream_is_not_websocket() {
    // Noise that often looks like a frame header or two must not pass for WebSocket.
    for seed in 1..=12u64 {
        let mut s = Script::new(
            Endpoints::v4().nth(seed as u16),
            ConvOptions {
                syn: false,
                upgrade: false,
                ..ConvOptions::default()
            },
        );
        // TLS-looking application data records, then noise.
        let mut x = 0x2545_f491_4f6c_dd1du64.wrapping_mul(seed);
        let mut noise = vec![0x17, 0x03, 0x03, 0x40, 0x00];
        for _ in 0..40_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            noise.push(x as u8);
        }
        s.conv.send(Dir::ServerToClient, &noise);
        s.conv.send(Dir::ClientToServer, &noise[..3000]);
        let cap = s.conv.finish();
        let r = report(&write_pcap(&cap, Link::Ethernet));
        assert!(
            r.connections.is_empty(),
            "seed {seed}: {:?}",
            r.connections.first().map(|c| &c.notes)
        );
        assert_eq!(r.other_tcp_connections, 1);
    }
}

#[test]
fn one_direction_capture_decodes_the_client() {
    for deflate in [None, Some(DeflateParams::default())] {
        let mut s = Script::new(
            Endpoints::v4(),
            ConvOptions {
                deflate,
                ..ConvOptions::default()
            },
        );
        for i in 0..5u32 {
            s.send(
                Dir::ClientToServer,
                1,
                format!("only the client {i}").as_bytes(),
            );
            s.send(Dir::ServerToClient, 1, b"never captured");
        }
        let (mut cap, wire, msgs) = s.finish();
        cap.segs.retain(|s| s.dir == Dir::ClientToServer);
        let r = report(&write_pcap(&cap, Link::Ethernet));
        let c = &r.connections[0];
        assert!(c.handshake.as_ref().unwrap().response.is_none());
        assert!(c.notes[0].starts_with("no handshake response in the capture: client frames"));
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(frames_wire(c, Direction::ClientToServer), wire[0]);
        assert_eq!(
            in_dir(&messages(c), Direction::ClientToServer),
            in_dir(&msgs, Direction::ClientToServer)
        );
    }
}
