//! Helpers: a scripted conversation that remembers exactly what it sent.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use wsprism_capture::synth::{Capture, ConvOptions, Conversation, Dir, Endpoints};
use wsprism_capture::{inspect_capture, CaptureOptions, CaptureReport, Connection, Direction};

/// Messages as (direction, kind, payload).
pub type Msgs = Vec<(Direction, &'static str, Vec<u8>)>;

pub fn unlimited() -> CaptureOptions {
    CaptureOptions {
        max_bytes: None,
        ..CaptureOptions::default()
    }
}

pub fn report(bytes: &[u8]) -> CaptureReport {
    inspect_capture(bytes, &unlimited()).unwrap()
}

pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub fn dir_of(d: Dir) -> Direction {
    match d {
        Dir::ClientToServer => Direction::ClientToServer,
        Dir::ServerToClient => Direction::ServerToClient,
    }
}

/// A conversation plus what it sent after the handshake: the wire bytes per direction and the
/// messages (direction, kind name, payload).
pub struct Script {
    pub conv: Conversation,
    pub wire: [Vec<u8>; 2],
    pub msgs: Vec<(Direction, &'static str, Vec<u8>)>,
}

fn kind(op: u8) -> &'static str {
    match op {
        1 => "text",
        2 => "binary",
        8 => "close",
        9 => "ping",
        _ => "pong",
    }
}

impl Script {
    pub fn new(ep: Endpoints, opts: ConvOptions) -> Self {
        Self {
            conv: Conversation::with_options(ep, opts),
            wire: [Vec::new(), Vec::new()],
            msgs: Vec::new(),
        }
    }

    pub fn simple() -> Self {
        Self::new(Endpoints::v4(), ConvOptions::default())
    }

    fn record(&mut self, d: Dir, op: u8, payload: &[u8], wire: &[u8]) {
        self.wire[d as usize].extend_from_slice(wire);
        self.msgs.push((dir_of(d), kind(op), payload.to_vec()));
    }

    /// One message in its own segments.
    pub fn send(&mut self, d: Dir, op: u8, payload: &[u8]) {
        self.send_frag(d, op, payload, None);
    }

    pub fn send_frag(&mut self, d: Dir, op: u8, payload: &[u8], frag: Option<usize>) {
        let w = self.conv.encode(d, op, payload, frag);
        self.record(d, op, payload, &w);
        self.conv.send(d, &w);
    }

    /// One message queued to share segments.
    pub fn queue(&mut self, d: Dir, op: u8, payload: &[u8]) {
        let w = self.conv.encode(d, op, payload, None);
        self.record(d, op, payload, &w);
        self.conv.queue_bytes(d, &w);
    }

    /// A standard exchange: text, binary, ping/pong, a long message (16-bit length), close.
    pub fn exchange(&mut self) {
        self.send(Dir::ClientToServer, 1, "héllo wörld".as_bytes());
        self.send(Dir::ServerToClient, 1, "héllo wörld".as_bytes());
        self.send(Dir::ClientToServer, 2, &[0, 1, 2, 255, 254]);
        self.send(Dir::ServerToClient, 2, &[9; 300]);
        self.send(Dir::ClientToServer, 9, b"ping!");
        self.send(Dir::ServerToClient, 10, b"ping!");
        let long: Vec<u8> = (0..5000u32).map(|i| b'a' + (i % 26) as u8).collect();
        self.send(Dir::ClientToServer, 1, &long);
        self.send(Dir::ServerToClient, 2, &long);
        self.send(Dir::ClientToServer, 8, b"\x03\xe8bye");
        self.send(Dir::ServerToClient, 8, b"\x03\xe8bye");
    }

    pub fn finish(mut self) -> (Capture, [Vec<u8>; 2], Msgs) {
        self.conv.close();
        (self.conv.finish(), self.wire, self.msgs)
    }
}

/// The concatenated raw bytes of a connection's frames in one direction.
pub fn frames_wire(c: &Connection, d: Direction) -> Vec<u8> {
    let mut out = Vec::new();
    for f in c.frames.iter().filter(|f| f.direction == d) {
        assert!(!f.truncated, "frame {} truncated", f.index);
        out.extend_from_slice(&f.raw_hex.0);
    }
    out
}

/// The messages of a connection as (direction, kind, payload).
pub fn messages(c: &Connection) -> Vec<(Direction, &'static str, Vec<u8>)> {
    c.messages
        .iter()
        .map(|m| {
            assert!(!m.truncated);
            assert_eq!(m.length as usize, m.data_hex.0.len());
            (m.direction, m.kind.name(), m.data_hex.0.clone())
        })
        .collect()
}

/// Messages in one direction.
pub fn in_dir(
    v: &[(Direction, &'static str, Vec<u8>)],
    d: Direction,
) -> Vec<(Direction, &'static str, Vec<u8>)> {
    v.iter().filter(|m| m.0 == d).cloned().collect()
}

/// Asserts that a connection carries exactly what was sent, byte for byte, with no error.
pub fn assert_same(
    c: &Connection,
    wire: &[Vec<u8>; 2],
    msgs: &[(Direction, &'static str, Vec<u8>)],
) {
    assert!(c.errors.is_empty(), "errors: {:#?}", c.errors);
    assert_eq!(
        frames_wire(c, Direction::ClientToServer),
        wire[0],
        "client frames"
    );
    assert_eq!(
        frames_wire(c, Direction::ServerToClient),
        wire[1],
        "server frames"
    );
    let got = messages(c);
    for d in [Direction::ClientToServer, Direction::ServerToClient] {
        assert_eq!(in_dir(&got, d), in_dir(msgs, d), "messages {d:?}");
    }
    // Frame indexes and message frame ranges are consistent.
    for (i, f) in c.frames.iter().enumerate() {
        assert_eq!(f.index, i as u64);
    }
    for m in &c.messages {
        let [a, b] = m.frames.unwrap();
        assert!(a <= b && (b as usize) < c.frames.len());
        assert_eq!(c.frames[b as usize].direction, m.direction);
    }
}

/// Twenty text messages each way in 40-byte segments, captured from inside the first client
/// frame on: no SYN, no upgrade, the capture starts mid-frame. Also returns what was sent.
pub fn mid_stream_chat() -> (Capture, Msgs) {
    let mut s = Script::new(
        Endpoints::v4(),
        ConvOptions {
            mss: 40,
            ..ConvOptions::default()
        },
    );
    for i in 0..20u32 {
        s.send(
            Dir::ClientToServer,
            1,
            format!("client message number {i}").as_bytes(),
        );
        s.send(
            Dir::ServerToClient,
            1,
            format!("server reply number {i}").as_bytes(),
        );
    }
    let (mut cap, _, msgs) = s.finish();
    let first_data = cap
        .segs
        .iter()
        .position(|s| s.payload.first() == Some(&0x81) && s.dir == Dir::ClientToServer)
        .unwrap();
    cap.segs.drain(..first_data + 1);
    (cap, msgs)
}
