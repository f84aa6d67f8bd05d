//! `loadgen`: an end-to-end WebSocket echo load generator on the wsprism engine.
//!
//! One thread, one epoll loop (mio), plain TCP. Opens `--conns` connections to
//! `ws://HOST:PORT/` (the engine builds the upgrade request and validates the answer, including
//! the permessage-deflate negotiation), then keeps `--window` messages in flight per connection
//! (pipelined: a new message leaves as soon as an echo comes back; `--max-inflight` caps the
//! total), decodes the echoes with the engine's `Decoder`, checks them against what was sent and
//! records each message's round trip in an HDR histogram. After `--warmup-ms`, it measures for
//! `--duration-ms` or until `--max-msgs` echoes arrived, whichever comes first, and prints one
//! JSON object on stdout.
//!
//! With `--server-pid`, it also reads the server's memory (/proc/PID/status) with a tenth of
//! the connections open and with all of them open and idle (the per-connection cost is the
//! slope between the two, from VmRSS and from RssAnon), and its peak (VmHWM), and the server's
//! CPU time (user + sys of all its threads, /proc/PID/stat) over the measured window, beside
//! the load generator's own (getrusage).
//!
//! Sending is cheap by construction: the payload (compressed once with the engine's `Deflater`
//! when permessage-deflate is on; the offer asks for `client_no_context_takeover`, so every
//! message compresses to the same bytes) is framed and masked per message with a fresh random
//! key by the engine's `encode_frame`.

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use wsprism::deflate::{self, DeflateConfig, DeflateParams, Deflater};
use wsprism::handshake::{self, ClientRequest, Parsed};
use wsprism::{encode_frame, Decoder, DecoderConfig, Encoder, EncoderConfig, EventRef, Role};

struct Args {
    host: String,
    port: u16,
    conns: usize,
    size: usize,
    deflate: bool,
    binary: bool,
    window: usize,
    max_inflight: usize,
    warmup: Duration,
    duration: Duration,
    max_msgs: u64,
    server_pid: Option<u32>,
    connect_parallel: usize,
    idle_settle: Duration,
    timeout: Duration,
}

fn usage() -> ! {
    eprintln!(
        "usage: loadgen --port N [--host 127.0.0.1] [--conns 100] [--size 20] [--deflate] [--binary]\n\
         \x20      [--window 16] [--max-inflight N] [--warmup-ms 500] [--duration-ms 3000]\n\
         \x20      [--max-msgs N] [--server-pid PID] [--connect-parallel 128] [--idle-ms 300]\n\
         \x20      [--timeout-ms 60000]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        host: "127.0.0.1".into(),
        port: 0,
        conns: 100,
        size: 20,
        deflate: false,
        binary: false,
        window: 16,
        max_inflight: usize::MAX,
        warmup: Duration::from_millis(500),
        duration: Duration::from_millis(3000),
        max_msgs: u64::MAX,
        server_pid: None,
        connect_parallel: 128,
        idle_settle: Duration::from_millis(300),
        timeout: Duration::from_secs(60),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| usage());
        let num = |s: String| -> u64 { s.parse().unwrap_or_else(|_| usage()) };
        match k.as_str() {
            "--host" => a.host = val(),
            "--port" => a.port = num(val()) as u16,
            "--conns" => a.conns = num(val()) as usize,
            "--size" => a.size = num(val()) as usize,
            "--deflate" => a.deflate = true,
            "--binary" => a.binary = true,
            "--window" => a.window = num(val()) as usize,
            "--max-inflight" => a.max_inflight = num(val()) as usize,
            "--warmup-ms" => a.warmup = Duration::from_millis(num(val())),
            "--duration-ms" => a.duration = Duration::from_millis(num(val())),
            "--max-msgs" => a.max_msgs = num(val()),
            "--server-pid" => a.server_pid = Some(num(val()) as u32),
            "--connect-parallel" => a.connect_parallel = num(val()).max(1) as usize,
            "--idle-ms" => a.idle_settle = Duration::from_millis(num(val())),
            "--timeout-ms" => a.timeout = Duration::from_millis(num(val())),
            _ => usage(),
        }
    }
    if a.port == 0 || a.conns == 0 || a.window == 0 || a.max_inflight == 0 {
        usage();
    }
    a
}

/// Deterministic, compressible text: words from a small list, like chat or JSON traffic.
fn make_payload(size: usize) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
    ];
    let mut out = Vec::with_capacity(size + 16);
    let mut x: u32 = 0x9e37_79b9;
    while out.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.extend_from_slice(WORDS[(x % 16) as usize].as_bytes());
        out.push(if x & 0x100 == 0 { b' ' } else { b',' });
        if x.is_multiple_of(7) {
            out.extend_from_slice(format!("{}", x % 100_000).as_bytes());
        }
    }
    out.truncate(size);
    out
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum State {
    Connecting,
    Handshake,
    Open,
}

struct Conn {
    sock: TcpStream,
    state: State,
    key: String,
    inbuf: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    dec: Option<Decoder>,
    enc: Option<Encoder>,
    compressed: bool,
    sent: VecDeque<Instant>,
    dirty: bool,
}

/// Memory of a process, in KiB, from /proc/PID/status.
#[derive(Default, Clone, Copy)]
struct Mem {
    /// VmRSS: resident memory.
    rss: u64,
    /// VmHWM: peak resident memory.
    hwm: u64,
    /// RssAnon: resident anonymous memory (heap, stacks), without file-backed pages such as
    /// the executable's code, which is shared and faulted in as code first runs.
    anon: u64,
}

fn mem_kb(pid: u32) -> Mem {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Mem {
        rss: field("VmRSS:"),
        hwm: field("VmHWM:"),
        anon: field("RssAnon:"),
    }
}

/// user + sys CPU seconds of a process (all threads), from /proc/PID/stat.
fn proc_cpu(pid: u32) -> f64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state); utime is field 14, stime 15.
    let get = |i: usize| {
        f.get(i - 3)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (get(14) + get(15)) / hz.max(1.0)
}

fn self_cpu() -> f64 {
    // SAFETY: getrusage writes into the struct we pass.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut ru);
        let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
        t(ru.ru_utime) + t(ru.ru_stime)
    }
}

fn fail(msg: &str) -> ! {
    println!("{{\"error\":{}}}", json_str(msg));
    eprintln!("loadgen: {msg}");
    std::process::exit(1)
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Writes what is pending; returns false if the peer is gone.
fn flush(c: &mut Conn) -> bool {
    while c.out_pos < c.out.len() {
        match c.sock.write(&c.out[c.out_pos..]) {
            Ok(0) => return false,
            Ok(n) => c.out_pos += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    c.out.clear();
    c.out_pos = 0;
    true
}

struct Payloads {
    plain: Vec<u8>,
    /// (client window bits, compressed payload without the tail)
    compressed: Vec<(u8, Vec<u8>)>,
}

impl Payloads {
    fn compressed_for(&mut self, bits: u8) -> usize {
        if let Some(i) = self.compressed.iter().position(|(b, _)| *b == bits) {
            return i;
        }
        let mut d = Deflater::new(bits, true, 6);
        let mut out = Vec::new();
        if let Err(e) = d.compress(&self.plain, &mut out) {
            fail(&format!("compress: {e}"));
        }
        self.compressed.push((bits, out));
        self.compressed.len() - 1
    }
}

/// Waits `d` without doing anything (the server's events are not read: nothing is expected).
fn settle(poll: &mut Poll, events: &mut Events, d: Duration) {
    let until = Instant::now() + d;
    while let Some(left) = until
        .checked_duration_since(Instant::now())
        .filter(|l| !l.is_zero())
    {
        poll.poll(events, Some(left))
            .unwrap_or_else(|e| fail(&format!("poll: {e}")));
    }
}

fn main() {
    let a = parse_args();
    let addr: SocketAddr = format!("{}:{}", a.host, a.port)
        .parse()
        .unwrap_or_else(|_| fail("bad --host/--port"));
    let t_start = Instant::now();
    let deadline = t_start + a.timeout;
    let mut poll = Poll::new().unwrap_or_else(|e| fail(&format!("poll: {e}")));
    let mut events = Events::with_capacity(1024);
    let mem = || a.server_pid.map(mem_kb).unwrap_or_default();
    let mem_start = mem();
    let mut mem_before = mem_start;

    let deflate_cfg = DeflateConfig {
        client_no_context_takeover: true,
        ..DeflateConfig::default()
    };
    let offer = deflate::client_offer(&deflate_cfg);
    let host_hdr = format!("{}:{}", a.host, a.port);
    let mut payloads = Payloads {
        plain: make_payload(a.size),
        compressed: Vec::new(),
    };
    let mut comp_index: Vec<usize> = Vec::new(); // per conn: which compressed payload

    // ---- connect + handshake, at most connect_parallel at a time
    let mut conns: Vec<Conn> = Vec::with_capacity(a.conns);
    let mut open = 0usize;
    let mut negotiated_ext = String::new();
    let mut rbuf = vec![0u8; 256 * 1024];
    let mut pending = 0usize;
    // Connections open in two steps, 1/10 of them first: the server's one-time work on its first
    // connections (lazy module loads, JIT compilation, allocator arenas) is not counted in the
    // per-connection RSS, which is the slope between conns/10 and conns open connections.
    let first = (a.conns / 10).max(1);
    let mut target = first;
    loop {
        while open < target {
            while conns.len() < target && pending < a.connect_parallel {
                let sock =
                    TcpStream::connect(addr).unwrap_or_else(|e| fail(&format!("connect: {e}")));
                let _ = sock.set_nodelay(true);
                let mut sock = sock;
                let tok = Token(conns.len());
                poll.registry()
                    .register(&mut sock, tok, Interest::READABLE | Interest::WRITABLE)
                    .unwrap_or_else(|e| fail(&format!("register: {e}")));
                let key = handshake::generate_key().unwrap_or_else(|e| fail(&format!("key: {e}")));
                conns.push(Conn {
                    sock,
                    state: State::Connecting,
                    key,
                    inbuf: Vec::new(),
                    out: Vec::new(),
                    out_pos: 0,
                    dec: None,
                    enc: None,
                    compressed: false,
                    sent: VecDeque::new(),
                    dirty: false,
                });
                comp_index.push(0);
                pending += 1;
            }
            if Instant::now() > deadline {
                fail(&format!("timeout: {open} of {} connections open", a.conns));
            }
            poll.poll(&mut events, Some(Duration::from_millis(100)))
                .unwrap_or_else(|e| fail(&format!("poll: {e}")));
            for ev in events.iter() {
                let i = ev.token().0;
                let c = &mut conns[i];
                if c.state == State::Connecting && ev.is_writable() {
                    match c.sock.take_error() {
                        Ok(None) => {}
                        Ok(Some(e)) | Err(e) => fail(&format!("connect: {e}")),
                    }
                    if c.sock.peer_addr().is_err() {
                        continue; // not connected yet
                    }
                    let req = ClientRequest {
                        host: &host_hdr,
                        path: "/",
                        key: &c.key,
                        extensions: if a.deflate { Some(&offer) } else { None },
                        ..Default::default()
                    };
                    match req.to_bytes() {
                        Ok(head) => c.out.extend_from_slice(&head),
                        Err(e) => fail(&format!("upgrade request: {e}")),
                    }
                    c.state = State::Handshake;
                    if !flush(c) {
                        fail("connection closed during handshake");
                    }
                }
                if c.state == State::Handshake && ev.is_readable() {
                    loop {
                        match c.sock.read(&mut rbuf) {
                            Ok(0) => fail("server closed during handshake"),
                            Ok(n) => c.inbuf.extend_from_slice(&rbuf[..n]),
                            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                            Err(e) if e.kind() == ErrorKind::Interrupted => {}
                            Err(e) => fail(&format!("read: {e}")),
                        }
                    }
                    match handshake::parse_response(&c.inbuf, 8192) {
                        Ok(Parsed::NeedMore(_)) => continue,
                        Err(e) => fail(&format!("handshake: {e}")),
                        Ok(Parsed::Complete { value, len }) => {
                            let offered: &[&str] = if a.deflate {
                                &["permessage-deflate"]
                            } else {
                                &[]
                            };
                            let acc = value
                                .validate(&c.key, &[], offered)
                                .unwrap_or_else(|e| fail(&format!("handshake: {e}")));
                            let mut params: Option<DeflateParams> = None;
                            if let Some(ext) = acc.extensions.first() {
                                params = Some(
                                    deflate::accept_response(ext, &deflate_cfg)
                                        .unwrap_or_else(|e| fail(&format!("handshake: {e}"))),
                                );
                                if negotiated_ext.is_empty() {
                                    negotiated_ext = value
                                        .header("sec-websocket-extensions")
                                        .unwrap_or_default()
                                        .to_string();
                                }
                            }
                            if a.deflate && params.is_none() {
                                fail("server declined permessage-deflate");
                            }
                            if let Some(p) = params {
                                comp_index[i] = payloads.compressed_for(p.client_max_window_bits);
                                c.compressed = true;
                            }
                            c.dec = Some(Decoder::new(DecoderConfig {
                                role: Role::Client,
                                max_message_size: 64 << 20,
                                max_frame_size: 64 << 20,
                                deflate: params,
                                ..Default::default()
                            }));
                            c.enc = Some(Encoder::new(EncoderConfig {
                                role: Role::Client,
                                deflate: params,
                                level: None,
                                mem_level: None,
                            }));
                            c.inbuf.drain(..len);
                            if !c.inbuf.is_empty() {
                                fail("server sent data before the first message");
                            }
                            c.inbuf = Vec::new();
                            c.state = State::Open;
                            open += 1;
                            pending -= 1;
                        }
                    }
                }
            }
        }
        if target == a.conns {
            break;
        }
        settle(&mut poll, &mut events, a.idle_settle);
        mem_before = mem();
        target = a.conns;
    }
    let connect_s = t_start.elapsed().as_secs_f64();

    // ---- idle: let the server settle, then read its RSS with every connection open
    settle(&mut poll, &mut events, a.idle_settle);
    let mem_idle = mem();

    // ---- run
    let opcode: u8 = if a.binary { 2 } else { 1 };
    let mut waiting: VecDeque<usize> = VecDeque::new();
    for _ in 0..a.window {
        for i in 0..conns.len() {
            waiting.push_back(i);
        }
    }
    let mut inflight = 0usize;
    let mut hist = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 120_000_000, 3)
        .unwrap_or_else(|e| fail(&format!("histogram: {e}")));
    let run_start = Instant::now();
    let warm_end = run_start + a.warmup;
    let mut measuring = false;
    let mut win_start = warm_end;
    let mut win_end = warm_end + a.duration;
    let (mut cpu_srv0, mut cpu_self0) = (0.0, 0.0);
    let mut received: u64 = 0; // in the window
    let mut received_total: u64 = 0;
    let mut bytes_in_window: u64 = 0;
    let mut mismatches: u64 = 0;
    let mut dirty: Vec<usize> = Vec::new();
    let plain_len = payloads.plain.len();

    // Sends as many queued messages as the global cap allows.
    macro_rules! pump {
        () => {
            while inflight < a.max_inflight {
                let Some(i) = waiting.pop_front() else { break };
                let c = &mut conns[i];
                let key = c
                    .enc
                    .as_mut()
                    .and_then(|e| e.next_mask(None).ok().flatten());
                let (rsv1, body): (bool, &[u8]) = if c.compressed {
                    (true, &payloads.compressed[comp_index[i]].1)
                } else {
                    (false, &payloads.plain)
                };
                if encode_frame(&mut c.out, true, [rsv1, false, false], opcode, key, body).is_err()
                {
                    fail("encode");
                }
                c.sent.push_back(Instant::now());
                inflight += 1;
                if !c.dirty {
                    c.dirty = true;
                    dirty.push(i);
                }
            }
        };
    }
    pump!();
    let stop_reason;
    loop {
        for i in dirty.drain(..) {
            let c = &mut conns[i];
            c.dirty = false;
            if !flush(c) {
                fail("server closed a connection");
            }
        }
        let now = Instant::now();
        if !measuring && now >= warm_end {
            measuring = true;
            win_start = now;
            win_end = now + a.duration;
            cpu_srv0 = a.server_pid.map(proc_cpu).unwrap_or(0.0);
            cpu_self0 = self_cpu();
            received = 0;
            bytes_in_window = 0;
            hist.reset();
        }
        if measuring && (now >= win_end || received >= a.max_msgs) {
            stop_reason = if received >= a.max_msgs {
                "messages"
            } else {
                "time"
            };
            break;
        }
        if now > deadline {
            stop_reason = "timeout";
            break;
        }
        let next = if measuring { win_end } else { warm_end };
        let wait = next
            .saturating_duration_since(now)
            .min(Duration::from_millis(50));
        poll.poll(&mut events, Some(wait))
            .unwrap_or_else(|e| fail(&format!("poll: {e}")));
        for ev in events.iter() {
            let i = ev.token().0;
            if ev.is_writable() && conns[i].out_pos < conns[i].out.len() && !flush(&mut conns[i]) {
                fail("server closed a connection");
            }
            if !ev.is_readable() {
                continue;
            }
            loop {
                let c = &mut conns[i];
                let n = match c.sock.read(&mut rbuf) {
                    Ok(0) => fail("server closed a connection"),
                    Ok(n) => n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(e) => fail(&format!("read: {e}")),
                };
                let now = Instant::now();
                let mut echoes = 0usize;
                let Conn { dec, sent, .. } = c;
                let plain = &payloads.plain;
                let r = dec.as_mut().map(|d| {
                    d.feed(&mut rbuf[..n], |ev| {
                        if let EventRef::Message { data, text } = ev {
                            echoes += 1;
                            if data.len() != plain_len || text == a.binary || data != &plain[..] {
                                mismatches += 1;
                            }
                            if let Some(t) = sent.pop_front() {
                                if measuring {
                                    let us = now.duration_since(t).as_micros() as u64;
                                    let _ = hist.record(us.max(1));
                                }
                            }
                        }
                    })
                });
                if let Some(Err(e)) = r {
                    fail(&format!("decode: {e}"));
                }
                received_total += echoes as u64;
                if measuring {
                    received += echoes as u64;
                    bytes_in_window += (echoes * plain_len) as u64;
                }
                inflight -= echoes;
                for _ in 0..echoes {
                    waiting.push_back(i);
                }
                pump!();
                // A short read drained the socket: with edge-triggered epoll, more data makes a
                // new event, so skip the read that would only say WouldBlock.
                if n < rbuf.len() {
                    break;
                }
            }
        }
    }
    let now = Instant::now();
    let elapsed = now.duration_since(win_start).as_secs_f64();
    let cpu_srv = a.server_pid.map(proc_cpu).unwrap_or(0.0) - cpu_srv0;
    let cpu_self = self_cpu() - cpu_self0;
    let mem_end = mem();
    let per_conn = |f: fn(&Mem) -> u64| {
        if a.conns > first {
            (f(&mem_idle) as f64 - f(&mem_before) as f64) / (a.conns - first) as f64
        } else {
            f(&mem_idle) as f64 - f(&mem_start) as f64
        }
    };
    let wire_payload = payloads
        .compressed
        .first()
        .map(|c| c.1.len())
        .unwrap_or(plain_len);
    let q = |p: f64| hist.value_at_quantile(p);
    println!(
        "{{\"conns\":{},\"size\":{},\"deflate\":{},\"extensions\":{},\"window\":{},\"max_inflight\":{},\
\"stop\":\"{}\",\"connect_s\":{:.3},\"elapsed_s\":{:.4},\"messages\":{},\"messages_total\":{},\
\"msgs_per_s\":{:.1},\"payload_mb_per_s\":{:.2},\"client_wire_payload\":{},\"mismatches\":{},\
\"latency_us\":{{\"p50\":{},\"p90\":{},\"p99\":{},\"max\":{},\"mean\":{:.1},\"count\":{}}},\
\"server_cpu_s\":{:.3},\"server_cpu_pct\":{:.1},\"loadgen_cpu_s\":{:.3},\"loadgen_cpu_pct\":{:.1},\
\"server_rss_start_kb\":{},\"server_rss_before_kb\":{},\"server_rss_idle_kb\":{},\"server_rss_end_kb\":{},\"server_rss_peak_kb\":{},\
\"server_anon_before_kb\":{},\"server_anon_idle_kb\":{},\"conns_before\":{},\"rss_per_conn_kb\":{:.2},\"anon_per_conn_kb\":{:.2}}}",
        a.conns,
        a.size,
        a.deflate,
        json_str(&negotiated_ext),
        a.window,
        if a.max_inflight == usize::MAX { 0 } else { a.max_inflight },
        stop_reason,
        connect_s,
        elapsed,
        received,
        received_total,
        received as f64 / elapsed.max(1e-9),
        bytes_in_window as f64 / elapsed.max(1e-9) / 1e6,
        wire_payload,
        mismatches,
        q(0.5),
        q(0.9),
        q(0.99),
        hist.max(),
        hist.mean(),
        hist.len(),
        cpu_srv,
        100.0 * cpu_srv / elapsed.max(1e-9),
        cpu_self,
        100.0 * cpu_self / elapsed.max(1e-9),
        mem_start.rss,
        mem_before.rss,
        mem_idle.rss,
        mem_end.rss,
        mem_end.hwm,
        mem_before.anon,
        mem_idle.anon,
        first,
        per_conn(|m| m.rss),
        per_conn(|m| m.anon),
    );
    // Sockets close when the process exits.
}
