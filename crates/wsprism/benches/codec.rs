//! Side-by-side benchmarks (criterion), with the anchor in the same run and ratios printed at
//! the end:
//! - decoding streams of masked text frames (server role: unmask + UTF-8 + message delivery)
//!   against `tungstenite`'s WebSocket reader on the same bytes;
//! - unmasking against a plain byte loop and against `memcpy` of the same size;
//! - UTF-8 validation of 1 MiB of mixed text against `std::str::from_utf8`;
//! - inflating a message without context takeover, the state freed after each message (what
//!   the engine does) against the state kept (what it does with context takeover): the price of
//!   holding no inflate state between messages.
//!
//! Run: `cargo bench -p wsprism --bench codec` (add `-- --quick` for a fast pass).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use wsprism::deflate::{Deflater, Inflater};
use wsprism::mask::{apply_mask, apply_mask_bytewise};
use wsprism::{encode_frame, is_valid_utf8, Decoder, DecoderConfig, Event, Role};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// Text that is mostly ASCII with 2-, 3- and 4-byte sequences mixed in.
fn mixed_text(len: usize) -> Vec<u8> {
    let sample =
        "The quick brown fox — jumps over the lazy dog. Ελληνικά, русский, 日本語, emoji 🦀🚀. ";
    let mut s = String::with_capacity(len + sample.len());
    while s.len() < len {
        s.push_str(sample);
    }
    // Cut at `len` bytes, then pad with ASCII so the length is exact and the text stays valid.
    while s.len() > len {
        s.pop();
    }
    while s.len() < len {
        s.push('.');
    }
    s.into_bytes()
}

/// A stream of `count` masked text frames of `size` bytes each (ASCII for the `ascii` cases,
/// mixed 1-4 byte UTF-8 otherwise).
fn stream(size: usize, count: usize, ascii: bool) -> Vec<u8> {
    let payload = if ascii {
        vec![b'x'; size]
    } else {
        mixed_text(size)
    };
    let mut out = Vec::with_capacity(count * (size + 14));
    for _ in 0..count {
        encode_frame(&mut out, true, [false; 3], 1, Some(KEY), &payload).unwrap();
    }
    out
}

/// An in-memory socket for tungstenite: reads from the stream, discards writes.
struct Mem(Cursor<Vec<u8>>);
impl Read for Mem {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}
impl Write for Mem {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const DECODE_CASES: [(usize, usize, &str); 5] = [
    (20, 20_000, "20B-ascii"),
    (20, 20_000, "20B"),
    (1024, 2_000, "1KiB"),
    (64 * 1024, 64, "64KiB"),
    (1 << 20, 8, "1MiB"),
];

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    for (size, count, name) in DECODE_CASES {
        let bytes = stream(size, count, name.ends_with("ascii"));
        g.throughput(Throughput::Elements(count as u64));
        let big: usize = 64 << 20;
        let mut buf = bytes.clone();
        g.bench_with_input(BenchmarkId::new("wsprism", name), &bytes, |b, bytes| {
            b.iter(|| {
                // The decoder unmasks in place: start from the masked bytes every time (the
                // copy is part of the measurement, as tungstenite copies into its buffer too).
                buf.copy_from_slice(bytes);
                let mut dec = Decoder::new(DecoderConfig {
                    role: Role::Server,
                    max_frame_size: big as u64,
                    max_message_size: big as u64,
                    deflate: None,
                    ..Default::default()
                });
                let mut n = 0usize;
                let mut pos = 0;
                while let Some(ev) = dec.next_event(&mut buf, &mut pos).unwrap() {
                    if let Event::Message { payload, .. } = ev {
                        n += payload.as_slice(&buf).len();
                    }
                }
                assert_eq!(n, size * count);
                black_box(n)
            })
        });
        g.bench_with_input(BenchmarkId::new("tungstenite", name), &bytes, |b, bytes| {
            let cfg = tungstenite::protocol::WebSocketConfig::default()
                .max_message_size(Some(big))
                .max_frame_size(Some(big))
                .read_buffer_size(256 * 1024);
            b.iter(|| {
                let mut ws = tungstenite::WebSocket::from_raw_socket(
                    Mem(Cursor::new(bytes.clone())),
                    tungstenite::protocol::Role::Server,
                    Some(cfg),
                );
                let mut n = 0usize;
                for _ in 0..count {
                    match ws.read().unwrap() {
                        tungstenite::Message::Text(t) => n += t.len(),
                        m => panic!("{m:?}"),
                    }
                }
                assert_eq!(n, size * count);
                black_box(n)
            })
        });
    }
    g.finish();
}

/// Calls per iteration for the 16-byte case: one call is a few nanoseconds, less than
/// criterion's per-iteration overhead, so 1024 calls on consecutive 16-byte slices are timed.
const SMALL_CALLS: usize = 1024;

fn mask(c: &mut Criterion) {
    let mut g = c.benchmark_group("unmask");
    for (len, name) in [(16usize, "16B"), (1024, "1KiB"), (1 << 20, "1MiB")] {
        let calls = if len == 16 { SMALL_CALLS } else { 1 };
        let mut buf = vec![0xa5u8; len * calls];
        let src = vec![0x5au8; len * calls];
        g.throughput(Throughput::Bytes((len * calls) as u64));
        g.bench_function(BenchmarkId::new("wsprism", name), |b| {
            b.iter(|| {
                for c in buf.chunks_exact_mut(len) {
                    apply_mask(black_box(c), black_box(KEY), 0)
                }
            })
        });
        g.bench_function(BenchmarkId::new("byte_loop", name), |b| {
            b.iter(|| {
                for c in buf.chunks_exact_mut(len) {
                    apply_mask_bytewise(black_box(c), black_box(KEY), 0)
                }
            })
        });
        g.bench_function(BenchmarkId::new("memcpy", name), |b| {
            b.iter(|| {
                for (d, s) in buf.chunks_exact_mut(len).zip(src.chunks_exact(len)) {
                    black_box(d).copy_from_slice(black_box(s))
                }
            })
        });
    }
    g.finish();
}

fn utf8(c: &mut Criterion) {
    let mut g = c.benchmark_group("utf8");
    let text = mixed_text(1 << 20);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function(BenchmarkId::new("wsprism", "1MiB"), |b| {
        b.iter(|| assert!(is_valid_utf8(black_box(&text))))
    });
    g.bench_function(BenchmarkId::new("std", "1MiB"), |b| {
        b.iter(|| assert!(std::str::from_utf8(black_box(&text)).is_ok()))
    });
    g.finish();
}

const INFLATE_CASES: [(usize, &str); 3] = [(20, "20B"), (1024, "1KiB"), (16384, "16KiB")];

fn inflate(c: &mut Criterion) {
    let mut g = c.benchmark_group("inflate");
    for (size, name) in INFLATE_CASES {
        let msg = mixed_text(size);
        let mut wire = Vec::new();
        Deflater::new(15, true, 6)
            .compress(&msg, &mut wire)
            .unwrap();
        g.throughput(Throughput::Bytes(size as u64));
        // A message compressed from an empty window inflates the same either way.
        for (id, no_context_takeover) in [("kept", false), ("freed", true)] {
            let mut inf = Inflater::new(15, no_context_takeover);
            let mut out = Vec::with_capacity(2 * size);
            g.bench_function(BenchmarkId::new(id, name), |b| {
                b.iter(|| {
                    out.clear();
                    inf.inflate(black_box(&wire), &mut out, 1 << 30).unwrap();
                    inf.finish(&mut out, 1 << 30).unwrap();
                    assert_eq!(out.len(), size);
                })
            });
        }
    }
    g.finish();
}

/// Mean time of one benchmark from criterion's own JSON output, in nanoseconds.
fn mean_ns(dir: &Path, group: &str, id: &str, param: &str) -> Option<f64> {
    let p = dir
        .join(group)
        .join(id)
        .join(param)
        .join("new")
        .join("estimates.json");
    let s = std::fs::read_to_string(p).ok()?;
    let i = s.find("\"mean\"")?;
    let rest = &s[i..];
    let j = rest.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let num: String = rest[j..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == 'e' || *c == '-' || *c == '+')
        .collect();
    num.parse().ok()
}

fn criterion_dir() -> PathBuf {
    if let Ok(h) = std::env::var("CRITERION_HOME") {
        return PathBuf::from(h);
    }
    if let Ok(t) = std::env::var("CARGO_TARGET_DIR") {
        return PathBuf::from(t).join("criterion");
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/criterion")
}

fn summary() {
    let d = criterion_dir();
    println!("\n=== wsprism vs anchors (same run; ratio > 1 means wsprism is faster) ===");
    for (size, count, name) in DECODE_CASES {
        if let (Some(a), Some(b)) = (
            mean_ns(&d, "decode", "wsprism", name),
            mean_ns(&d, "decode", "tungstenite", name),
        ) {
            let per = a / count as f64;
            println!(
                "decode {name:>9} masked text frames: wsprism {:>8.1} ns/frame ({:>7.2} M frames/s, {:>6.2} GB/s)  tungstenite {:>8.1} ns/frame  ratio {:.2}x",
                per,
                1e3 / per,
                (size * count) as f64 / a,
                b / count as f64,
                b / a
            );
        }
    }
    for (len, name) in [(16usize, "16B"), (1024, "1KiB"), (1 << 20, "1MiB")] {
        let calls = if len == 16 { SMALL_CALLS as f64 } else { 1.0 };
        if let (Some(w), Some(l), Some(m)) = (
            mean_ns(&d, "unmask", "wsprism", name),
            mean_ns(&d, "unmask", "byte_loop", name),
            mean_ns(&d, "unmask", "memcpy", name),
        ) {
            let (w, l, m) = (w / calls, l / calls, m / calls);
            println!(
                "unmask {name:>5} (per call): wsprism {w:>10.2} ns ({:>6.2} GB/s)  byte loop {l:>10.2} ns  memcpy {m:>10.2} ns  vs loop {:.1}x  vs memcpy {:.0}%",
                len as f64 / w,
                l / w,
                100.0 * m / w
            );
        }
    }
    for (_, name) in INFLATE_CASES {
        if let (Some(k), Some(f)) = (
            mean_ns(&d, "inflate", "kept", name),
            mean_ns(&d, "inflate", "freed", name),
        ) {
            println!(
                "inflate {name:>5} message, no context takeover: state freed after it {f:>8.0} ns  kept {k:>8.0} ns  cost of freeing {:>6.0} ns ({:.2}x)",
                f - k,
                f / k
            );
        }
    }
    if let (Some(w), Some(s)) = (
        mean_ns(&d, "utf8", "wsprism", "1MiB"),
        mean_ns(&d, "utf8", "std", "1MiB"),
    ) {
        println!(
            "utf8 1MiB mixed text: wsprism {:.2} GB/s  std::str::from_utf8 {:.2} GB/s  ratio {:.2}x",
            (1u64 << 20) as f64 / w,
            (1u64 << 20) as f64 / s,
            s / w
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    decode(&mut c);
    mask(&mut c);
    utf8(&mut c);
    inflate(&mut c);
    c.final_summary();
    summary();
}
