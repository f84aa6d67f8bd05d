//! Times [`CaptureIndex::build`] on a capture file (a benchmark aid):
//!
//! ```text
//! cargo run --release -p wsprism-capture --example index_time -- FILE [RUNS]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;
use wsprism_capture::{CaptureIndex, CaptureOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: index_time FILE [RUNS]");
    let runs: usize = args.next().map_or(3, |r| r.parse().expect("RUNS"));
    let bytes = std::fs::read(&path).expect("read");
    for _ in 0..runs {
        let t = Instant::now();
        let ix = CaptureIndex::build(&bytes, &CaptureOptions::default()).expect("index");
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let s = ix.summary();
        let (mut frames, mut messages) = (0u64, 0u64);
        for c in &s.connections {
            frames += c.counts.frame_count;
            messages += c.counts.message_count;
        }
        println!(
            "{path}: {} bytes, {} connections, {frames} frames, {messages} messages, index {ms:.0} ms",
            bytes.len(),
            s.connections.len()
        );
    }
}
