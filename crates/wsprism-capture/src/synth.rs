//! Synthetic captures, for tests, fuzzing seeds and benchmarks: a [`Conversation`] produces
//! the TCP segments of a WebSocket connection (handshake, frames encoded by the engine, FIN or
//! RST), and [`PcapWriter`] / [`PcapngWriter`] write them as real packets (Ethernet, Linux
//! cooked v1/v2, BSD loopback or raw IP; IPv4 or IPv6) built with `etherparse`.
//!
//! Everything is deterministic: masking keys come from a counter, not from the OS.

use etherparse::PacketBuilder;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use wsprism::encoder::{Encoder, EncoderConfig, MessageOptions};
use wsprism::handshake::{accept_key, build_response, ClientRequest};
use wsprism::{encode_frame, DeflateParams, OpCode, Role};

/// Who sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dir {
    /// The client (frames masked).
    ClientToServer,
    /// The server.
    ServerToClient,
}

impl Dir {
    fn idx(self) -> usize {
        match self {
            Dir::ClientToServer => 0,
            Dir::ServerToClient => 1,
        }
    }
}

/// The link layer to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Link {
    /// Ethernet II (LINKTYPE 1).
    Ethernet,
    /// Linux cooked capture v1 (113).
    LinuxSll,
    /// Linux cooked capture v2 (276).
    LinuxSll2,
    /// BSD loopback, little-endian family (0).
    Null,
    /// OpenBSD loopback, big-endian family (108).
    Loop,
    /// Raw IP (101).
    Raw,
    /// Raw IP under the BSD value DLT_RAW 12.
    Raw12,
}

impl Link {
    /// The LINKTYPE value.
    pub fn value(self) -> u32 {
        match self {
            Link::Ethernet => 1,
            Link::LinuxSll => 113,
            Link::LinuxSll2 => 276,
            Link::Null => 0,
            Link::Loop => 108,
            Link::Raw => 101,
            Link::Raw12 => 12,
        }
    }
}

/// The two ends of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoints {
    /// The client.
    pub client: SocketAddr,
    /// The server.
    pub server: SocketAddr,
}

impl Endpoints {
    /// `10.0.0.1:50000` → `10.0.0.2:8080`.
    pub fn v4() -> Self {
        Self {
            client: SocketAddr::new(IpAddr::from([10, 0, 0, 1]), 50000),
            server: SocketAddr::new(IpAddr::from([10, 0, 0, 2]), 8080),
        }
    }

    /// `[2001:db8::1]:50000` → `[2001:db8::2]:8080`.
    pub fn v6() -> Self {
        let ip = |last: u16| IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, last]);
        Self {
            client: SocketAddr::new(ip(1), 50000),
            server: SocketAddr::new(ip(2), 8080),
        }
    }

    /// The same hosts, the `n`th client port.
    pub fn nth(mut self, n: u16) -> Self {
        self.client.set_port(self.client.port().wrapping_add(n));
        self
    }
}

/// One TCP segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpSeg {
    /// Capture time, nanoseconds since the epoch.
    pub time_ns: u64,
    /// Sender.
    pub dir: Dir,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number (`None`: ACK flag clear).
    pub ack: Option<u32>,
    /// SYN flag.
    pub syn: bool,
    /// FIN flag.
    pub fin: bool,
    /// RST flag.
    pub rst: bool,
    /// Payload.
    pub payload: Vec<u8>,
}

/// How a [`Conversation`] starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvOptions {
    /// Initial sequence numbers (client, server).
    pub isn: [u32; 2],
    /// Write the three-way handshake.
    pub syn: bool,
    /// Write the HTTP upgrade.
    pub upgrade: bool,
    /// Negotiate permessage-deflate with these parameters (and compress every data message).
    pub deflate: Option<DeflateParams>,
    /// Largest payload per segment.
    pub mss: usize,
    /// Time of the first packet, nanoseconds since the epoch.
    pub start_ns: u64,
    /// Time between packets, nanoseconds.
    pub step_ns: u64,
}

impl Default for ConvOptions {
    fn default() -> Self {
        Self {
            isn: [1000, 500_000],
            syn: true,
            upgrade: true,
            deflate: None,
            mss: 1448,
            start_ns: 1_732_240_000_000_000_000,
            step_ns: 1000,
        }
    }
}

/// The upgrade request a [`Conversation`] sends.
pub const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// A WebSocket connection being written as TCP segments.
#[derive(Debug)]
pub struct Conversation {
    /// Its endpoints.
    pub ep: Endpoints,
    opts: ConvOptions,
    next: [u32; 2],
    time_ns: u64,
    segs: Vec<TcpSeg>,
    enc: [Encoder; 2],
    queued: [Vec<u8>; 2],
    masks: u32,
}

/// The `Sec-WebSocket-Extensions` response value for `p`.
pub fn deflate_response(p: &DeflateParams) -> String {
    let mut s = vec!["permessage-deflate".to_string()];
    if p.server_no_context_takeover {
        s.push("server_no_context_takeover".into());
    }
    if p.client_no_context_takeover {
        s.push("client_no_context_takeover".into());
    }
    if p.server_max_window_bits != 15 {
        s.push(format!(
            "server_max_window_bits={}",
            p.server_max_window_bits
        ));
    }
    if p.client_max_window_bits != 15 {
        s.push(format!(
            "client_max_window_bits={}",
            p.client_max_window_bits
        ));
    }
    s.join("; ")
}

impl Conversation {
    /// A connection with a three-way handshake and an HTTP upgrade (offering and accepting
    /// permessage-deflate with default parameters if `deflate`).
    pub fn new(ep: Endpoints, deflate: bool) -> Self {
        Self::with_options(
            ep,
            ConvOptions {
                deflate: deflate.then(DeflateParams::default),
                ..ConvOptions::default()
            },
        )
    }

    /// A connection started as `opts` says.
    pub fn with_options(ep: Endpoints, opts: ConvOptions) -> Self {
        let enc = |role| {
            Encoder::new(EncoderConfig {
                role,
                deflate: opts.deflate,
                level: None,
                mem_level: None,
            })
        };
        let mut c = Self {
            ep,
            opts,
            next: opts.isn,
            time_ns: opts.start_ns,
            segs: Vec::new(),
            enc: [enc(Role::Client), enc(Role::Server)],
            queued: [Vec::new(), Vec::new()],
            masks: 0x3713_0000,
        };
        if opts.syn {
            c.control(Dir::ClientToServer, true, false, false);
            c.control(Dir::ServerToClient, true, false, false);
            c.control(Dir::ClientToServer, false, false, false);
        }
        if opts.upgrade {
            let ext = opts
                .deflate
                .map(|_| "permessage-deflate; client_max_window_bits");
            let req = ClientRequest {
                host: "example.test",
                path: "/chat",
                key: KEY,
                protocols: &["chat"],
                extensions: ext,
                ..ClientRequest::default()
            }
            .to_bytes()
            .unwrap_or_default(); // constant strings, all valid: never an error
            c.send(Dir::ClientToServer, &req);
            let resp_ext = opts.deflate.map(|p| deflate_response(&p));
            let resp = build_response(&accept_key(KEY), Some("chat"), resp_ext.as_deref(), &[])
                .unwrap_or_default(); // the engine's accept and extension values: always valid
            c.send(Dir::ServerToClient, &resp);
        }
        c
    }

    fn push(&mut self, dir: Dir, syn: bool, fin: bool, rst: bool, payload: Vec<u8>) {
        let i = dir.idx();
        let seq = self.next.get(i).copied().unwrap_or_default();
        let other = self.next.get(1 - i).copied().unwrap_or_default();
        let first_syn = syn && dir == Dir::ClientToServer;
        let adv = payload.len() as u32 + u32::from(syn) + u32::from(fin);
        self.segs.push(TcpSeg {
            time_ns: self.time_ns,
            dir,
            seq,
            ack: (!first_syn).then_some(other),
            syn,
            fin,
            rst,
            payload,
        });
        if let Some(n) = self.next.get_mut(i) {
            *n = n.wrapping_add(adv);
        }
        self.time_ns += self.opts.step_ns;
    }

    /// A segment without payload.
    pub fn control(&mut self, dir: Dir, syn: bool, fin: bool, rst: bool) {
        self.push(dir, syn, fin, rst, Vec::new());
    }

    /// Sends bytes as is, in segments of at most the MSS.
    pub fn send(&mut self, dir: Dir, bytes: &[u8]) {
        for chunk in bytes.chunks(self.opts.mss.max(1)) {
            self.push(dir, false, false, false, chunk.to_vec());
        }
    }

    fn mask(&mut self) -> [u8; 4] {
        self.masks = self.masks.wrapping_mul(1_103_515_245).wrapping_add(12345);
        self.masks.to_be_bytes()
    }

    /// Encodes a message (opcode 1 or 2: data, compressed when deflate was negotiated, split in
    /// frames of `fragment` bytes if given; 8, 9, 10: control) into `out`.
    pub fn encode(
        &mut self,
        dir: Dir,
        opcode: u8,
        payload: &[u8],
        fragment: Option<usize>,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mask = (dir == Dir::ClientToServer).then(|| self.mask());
        let compress = self.opts.deflate.is_some();
        let Some(enc) = self.enc.get_mut(dir.idx()) else {
            return out;
        };
        let r = match OpCode::from_u8(opcode) {
            Some(OpCode::Text | OpCode::Binary) => enc.message(
                opcode == 1,
                payload,
                &MessageOptions {
                    fragment_size: fragment,
                    compress,
                    mask,
                    unmasked: false,
                },
                &mut out,
            ),
            Some(op @ (OpCode::Close | OpCode::Ping | OpCode::Pong)) => {
                enc.control(op, payload, mask, &mut out)
            }
            _ => encode_frame(&mut out, true, [false; 3], opcode, mask, payload),
        };
        if r.is_err() {
            out.clear();
        }
        out
    }

    /// Sends one message in its own segment(s).
    pub fn message(&mut self, dir: Dir, opcode: u8, payload: &[u8]) {
        let wire = self.encode(dir, opcode, payload, None);
        self.send(dir, &wire);
    }

    /// Adds a message to the bytes queued for `dir` (sent by [`Conversation::flush`]), so
    /// several frames share a segment.
    pub fn queue(&mut self, dir: Dir, opcode: u8, payload: &[u8]) {
        let wire = self.encode(dir, opcode, payload, None);
        if let Some(q) = self.queued.get_mut(dir.idx()) {
            q.extend_from_slice(&wire);
        }
    }

    /// Adds bytes as they are to the queue of `dir`.
    pub fn queue_bytes(&mut self, dir: Dir, bytes: &[u8]) {
        if let Some(q) = self.queued.get_mut(dir.idx()) {
            q.extend_from_slice(bytes);
        }
    }

    /// Bytes queued for `dir`.
    pub fn queued(&self, dir: Dir) -> usize {
        self.queued.get(dir.idx()).map_or(0, Vec::len)
    }

    /// Sends what was queued for `dir`.
    pub fn flush(&mut self, dir: Dir) {
        let q = self
            .queued
            .get_mut(dir.idx())
            .map(std::mem::take)
            .unwrap_or_default();
        self.send(dir, &q);
    }

    /// Both sides send FIN.
    pub fn close(&mut self) {
        self.control(Dir::ClientToServer, false, true, false);
        self.control(Dir::ServerToClient, false, true, false);
    }

    /// `dir` resets the connection.
    pub fn reset(&mut self, dir: Dir) {
        self.control(dir, false, false, true);
    }

    /// Takes the segments written so far.
    pub fn take(&mut self) -> Vec<TcpSeg> {
        std::mem::take(&mut self.segs)
    }

    /// All the segments.
    pub fn finish(mut self) -> Capture {
        Capture {
            ep: self.ep,
            segs: self.take(),
        }
    }
}

/// The segments of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// Endpoints.
    pub ep: Endpoints,
    /// Segments in capture order.
    pub segs: Vec<TcpSeg>,
}

fn build_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, e.to_string())
}

/// The packet for `seg` on `link`: link header, IP header (v4 or v6 from the endpoints), TCP.
pub fn packet(ep: &Endpoints, seg: &TcpSeg, link: Link) -> io::Result<Vec<u8>> {
    let (src, dst) = match seg.dir {
        Dir::ClientToServer => (ep.client, ep.server),
        Dir::ServerToClient => (ep.server, ep.client),
    };
    let mut out = Vec::with_capacity(seg.payload.len() + 80);
    let v6 = src.is_ipv6();
    let (fam_le, ethertype): (u32, u16) = if v6 { (30, 0x86dd) } else { (2, 0x0800) };
    match link {
        Link::Ethernet | Link::Raw | Link::Raw12 => {}
        Link::LinuxSll => {
            out.extend_from_slice(&[0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
            out.extend_from_slice(&ethertype.to_be_bytes());
        }
        Link::LinuxSll2 => {
            out.extend_from_slice(&ethertype.to_be_bytes());
            out.extend_from_slice(&[0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
        }
        Link::Null => out.extend_from_slice(&fam_le.to_le_bytes()),
        Link::Loop => out.extend_from_slice(&(if v6 { 24u32 } else { 2 }).to_be_bytes()),
    }
    let mac = |a: &SocketAddr| {
        let o = match a.ip() {
            IpAddr::V4(v) => v.octets()[3],
            IpAddr::V6(v) => v.octets()[15],
        };
        [2, 0, 0, 0, 0, o]
    };
    macro_rules! tcp {
        ($ip:expr) => {{
            let mut b = $ip.tcp(src.port(), dst.port(), seg.seq, 65535);
            if let Some(a) = seg.ack {
                b = b.ack(a);
            }
            if seg.syn {
                b = b.syn();
            }
            if seg.fin {
                b = b.fin();
            }
            if seg.rst {
                b = b.rst();
            }
            if !seg.payload.is_empty() {
                b = b.psh();
            }
            b.write(&mut out, &seg.payload).map_err(build_err)?;
        }};
    }
    match (src.ip(), dst.ip(), link) {
        (IpAddr::V4(s), IpAddr::V4(d), Link::Ethernet) => {
            tcp!(PacketBuilder::ethernet2(mac(&src), mac(&dst)).ipv4(s.octets(), d.octets(), 64))
        }
        (IpAddr::V6(s), IpAddr::V6(d), Link::Ethernet) => {
            tcp!(PacketBuilder::ethernet2(mac(&src), mac(&dst)).ipv6(s.octets(), d.octets(), 64))
        }
        (IpAddr::V4(s), IpAddr::V4(d), _) => tcp!(PacketBuilder::ipv4(s.octets(), d.octets(), 64)),
        (IpAddr::V6(s), IpAddr::V6(d), _) => tcp!(PacketBuilder::ipv6(s.octets(), d.octets(), 64)),
        _ => return Err(build_err("mixed IPv4 and IPv6 endpoints")),
    }
    Ok(out)
}

/// Byte order and time resolution of a pcap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PcapFlavor {
    /// Nanosecond timestamps (magic `a1b23c4d`) instead of microseconds (`a1b2c3d4`).
    pub nanos: bool,
    /// Big-endian file.
    pub big_endian: bool,
}

/// Writes a legacy pcap file.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    w: W,
    flavor: PcapFlavor,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header.
    pub fn new(mut w: W, link: Link, flavor: PcapFlavor) -> io::Result<Self> {
        let magic: u32 = if flavor.nanos {
            0xa1b2_3c4d
        } else {
            0xa1b2_c3d4
        };
        let mut h = Vec::with_capacity(24);
        let u32b = |v: u32| {
            if flavor.big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let u16b = |v: u16| {
            if flavor.big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        h.extend_from_slice(&u32b(magic));
        h.extend_from_slice(&u16b(2));
        h.extend_from_slice(&u16b(4));
        h.extend_from_slice(&u32b(0));
        h.extend_from_slice(&u32b(0));
        h.extend_from_slice(&u32b(262_144));
        h.extend_from_slice(&u32b(link.value()));
        w.write_all(&h)?;
        Ok(Self { w, flavor })
    }

    /// Writes one record.
    pub fn packet(&mut self, time_ns: u64, data: &[u8]) -> io::Result<()> {
        let f = self.flavor;
        let u32b = |v: u32| {
            if f.big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let secs = (time_ns / 1_000_000_000) as u32;
        let frac = if f.nanos {
            (time_ns % 1_000_000_000) as u32
        } else {
            ((time_ns % 1_000_000_000) / 1000) as u32
        };
        let mut h = [0u8; 16];
        for (i, v) in [secs, frac, data.len() as u32, data.len() as u32]
            .into_iter()
            .enumerate()
        {
            if let Some(d) = h.get_mut(i * 4..i * 4 + 4) {
                d.copy_from_slice(&u32b(v));
            }
        }
        self.w.write_all(&h)?;
        self.w.write_all(data)
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.w
    }
}

/// Writes a little-endian pcapng file.
#[derive(Debug)]
pub struct PcapngWriter<W: Write> {
    w: W,
    /// Units per second of each interface.
    units: Vec<u64>,
}

fn pad4(n: usize) -> usize {
    (4 - n % 4) % 4
}

impl<W: Write> PcapngWriter<W> {
    /// Writes the section header block.
    pub fn new(mut w: W) -> io::Result<Self> {
        let mut b = Vec::new();
        b.extend_from_slice(&0x0a0d_0d0au32.to_le_bytes());
        b.extend_from_slice(&28u32.to_le_bytes());
        b.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&u64::MAX.to_le_bytes());
        b.extend_from_slice(&28u32.to_le_bytes());
        w.write_all(&b)?;
        Ok(Self {
            w,
            units: Vec::new(),
        })
    }

    /// Describes an interface with timestamps in 10^-`tsresol` seconds; returns its id.
    pub fn interface(&mut self, link: Link, tsresol: u8) -> io::Result<u32> {
        let mut b = Vec::new();
        let len: u32 = 20 + 8 + 4;
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&len.to_le_bytes());
        b.extend_from_slice(&(link.value() as u16).to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&262_144u32.to_le_bytes());
        // if_tsresol option (code 9, length 1, padded), then opt_endofopt.
        b.extend_from_slice(&9u16.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&[tsresol, 0, 0, 0]);
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&len.to_le_bytes());
        self.w.write_all(&b)?;
        self.units
            .push(10u64.saturating_pow(u32::from(tsresol.min(19))));
        Ok(self.units.len() as u32 - 1)
    }

    /// Writes an enhanced packet block.
    pub fn packet(&mut self, iface: u32, time_ns: u64, data: &[u8]) -> io::Result<()> {
        let units = self.units.get(iface as usize).copied().unwrap_or(1_000_000);
        let ts = (u128::from(time_ns) * u128::from(units) / 1_000_000_000) as u64;
        let pad = pad4(data.len());
        let len = (32 + data.len() + pad) as u32;
        let mut b = Vec::with_capacity(len as usize);
        b.extend_from_slice(&6u32.to_le_bytes());
        b.extend_from_slice(&len.to_le_bytes());
        b.extend_from_slice(&iface.to_le_bytes());
        b.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        b.extend_from_slice(&(ts as u32).to_le_bytes());
        b.extend_from_slice(&(data.len() as u32).to_le_bytes());
        b.extend_from_slice(&(data.len() as u32).to_le_bytes());
        b.extend_from_slice(data);
        b.resize(b.len() + pad, 0);
        b.extend_from_slice(&len.to_le_bytes());
        self.w.write_all(&b)
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.w
    }
}

/// A pcap file (microseconds, little-endian) of `cap` on `link`.
pub fn write_pcap(cap: &Capture, link: Link) -> Vec<u8> {
    write_pcap_with(&cap.segs, &cap.ep, link, PcapFlavor::default())
}

/// A pcap file of `segs` in the given flavour. Segments that cannot be built are skipped.
pub fn write_pcap_with(segs: &[TcpSeg], ep: &Endpoints, link: Link, flavor: PcapFlavor) -> Vec<u8> {
    let Ok(mut w) = PcapWriter::new(Vec::new(), link, flavor) else {
        return Vec::new();
    };
    for s in segs {
        if let Ok(p) = packet(ep, s, link) {
            let _ = w.packet(s.time_ns, &p);
        }
    }
    w.into_inner()
}

/// A pcapng file with one interface per capture (each with its link type and `tsresol`),
/// packets merged in time order.
pub fn write_pcapng(caps: &[(&Capture, Link, u8)]) -> Vec<u8> {
    let Ok(mut w) = PcapngWriter::new(Vec::new()) else {
        return Vec::new();
    };
    let mut all = Vec::new();
    for (i, (cap, link, res)) in caps.iter().enumerate() {
        let _ = w.interface(*link, *res);
        for s in &cap.segs {
            all.push((s.time_ns, i, *link, &cap.ep, s));
        }
    }
    all.sort_by_key(|(t, i, ..)| (*t, *i));
    for (t, i, link, ep, s) in all {
        if let Ok(p) = packet(ep, s, link) {
            let _ = w.packet(i as u32, t, &p);
        }
    }
    w.into_inner()
}
