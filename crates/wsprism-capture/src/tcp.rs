//! TCP reassembly of one direction: sequence numbers (wrapping), out-of-order segments,
//! retransmissions and overlaps (the first-seen byte wins), and gaps (bytes the capture never
//! saw), with a bound on the bytes held out of order.

use crate::report::TcpDirStats;
use std::collections::BTreeMap;

/// Most bytes held out of order per direction; past this the earliest hole is declared a gap.
pub const MAX_PENDING: usize = 4 << 20;

/// What a direction delivers, in stream order.
#[derive(Debug, PartialEq)]
pub enum Chunk<'a> {
    /// Contiguous bytes starting at stream offset `offset`, from a packet at `time`.
    Data {
        /// Stream offset of `bytes[0]`.
        offset: u64,
        /// The bytes.
        bytes: &'a [u8],
        /// Time of the packet that carried them.
        time: f64,
    },
    /// `len` bytes starting at `offset` were never captured.
    Gap {
        /// Stream offset of the first missing byte.
        offset: u64,
        /// Number of missing bytes.
        len: u64,
        /// Time of the packet that revealed the gap.
        time: f64,
    },
}

/// One direction of a TCP connection being reassembled.
#[derive(Debug, Default)]
pub struct Reassembler {
    /// Sequence number of the next byte to deliver (`None` before the first segment).
    next: Option<u32>,
    /// Stream offset of that byte.
    offset: u64,
    /// Segments ahead of `offset`, by stream offset (non-overlapping), with their packet time.
    pending: BTreeMap<u64, (Vec<u8>, f64)>,
    pending_bytes: usize,
    /// A SYN was seen (the stream start is in the capture).
    pub syn_seen: bool,
    /// A FIN was seen.
    pub fin_seen: bool,
    /// Stream offset of the FIN (every byte before it must arrive before the stream ends).
    fin_at: Option<u64>,
    /// Counters.
    pub stats: TcpDirStats,
}

impl Reassembler {
    /// Bytes delivered so far (the stream offset of the next byte).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// True once a FIN was seen and every byte before it was delivered.
    pub fn fin_done(&self) -> bool {
        self.fin_at.is_some_and(|f| self.offset >= f)
    }

    /// True if bytes are held out of order.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Feeds one segment; `out` receives what becomes deliverable.
    pub fn segment(
        &mut self,
        seq: u32,
        syn: bool,
        fin: bool,
        payload: &[u8],
        time: f64,
        out: &mut dyn FnMut(Chunk<'_>),
    ) {
        self.stats.segments += 1;
        if fin {
            self.fin_seen = true;
        }
        let mut seq = seq;
        if syn {
            self.syn_seen = true;
            seq = seq.wrapping_add(1);
            if self.offset == 0 && self.pending.is_empty() {
                self.next = Some(seq);
            }
        }
        let next = *self.next.get_or_insert(seq);
        // Signed distance from the next expected byte, modulo 2^32.
        let rel = i64::from(seq.wrapping_sub(next) as i32);
        let start = self.offset as i64 + rel;
        let end = start + payload.len() as i64;
        if fin {
            self.fin_at = Some(end.max(0) as u64);
        }
        if payload.is_empty() {
            return;
        }
        if end <= self.offset as i64 {
            self.stats.retransmitted += 1;
            return;
        }
        let (start, payload) = if start < self.offset as i64 {
            self.stats.overlaps += 1;
            let skip = (self.offset as i64 - start) as usize;
            (self.offset, payload.get(skip..).unwrap_or_default())
        } else {
            (start as u64, payload)
        };
        if start == self.offset {
            self.deliver(payload, time, out);
            self.drain(out);
        } else {
            self.stats.out_of_order += 1;
            self.insert(start, payload, time);
            if self.pending_bytes > MAX_PENDING {
                self.skip_hole(time, out);
            }
        }
    }

    fn deliver(&mut self, bytes: &[u8], time: f64, out: &mut dyn FnMut(Chunk<'_>)) {
        if bytes.is_empty() {
            return;
        }
        out(Chunk::Data {
            offset: self.offset,
            bytes,
            time,
        });
        self.offset += bytes.len() as u64;
        self.stats.bytes += bytes.len() as u64;
        if let Some(n) = &mut self.next {
            *n = n.wrapping_add(bytes.len() as u32);
        }
    }

    /// Delivers pending segments that became contiguous.
    fn drain(&mut self, out: &mut dyn FnMut(Chunk<'_>)) {
        while let Some(entry) = self.pending.first_entry() {
            let start = *entry.key();
            if start > self.offset {
                break;
            }
            let (bytes, time) = entry.remove();
            self.pending_bytes -= bytes.len();
            let skip = (self.offset - start) as usize;
            if let Some(rest) = bytes.get(skip..) {
                self.deliver(rest, time, out);
            }
        }
    }

    /// Stores `[start, start+len)` minus what is already pending (first seen wins).
    fn insert(&mut self, start: u64, payload: &[u8], time: f64) {
        let end = start + payload.len() as u64;
        // Collect the uncovered pieces.
        let mut pieces: Vec<(u64, u64)> = Vec::new();
        let mut cur = start;
        // The segment that begins before `start` may cover its beginning.
        if let Some((&s, (b, _))) = self.pending.range(..start).next_back() {
            cur = cur.max(s + b.len() as u64);
        }
        for (&s, (b, _)) in self.pending.range(start..end) {
            if s > cur {
                pieces.push((cur, s));
            }
            cur = cur.max(s + b.len() as u64);
        }
        if cur < end {
            pieces.push((cur, end));
        }
        let new: u64 = pieces.iter().map(|(a, b)| b - a).sum();
        if new == 0 {
            self.stats.retransmitted += 1;
            return;
        }
        if new < payload.len() as u64 {
            self.stats.overlaps += 1;
        }
        for (a, b) in pieces {
            let piece = payload
                .get((a - start) as usize..(b - start) as usize)
                .unwrap_or_default();
            self.pending_bytes += piece.len();
            self.pending.insert(a, (piece.to_vec(), time));
        }
    }

    /// Declares the bytes before the first pending segment lost and delivers from there.
    fn skip_hole(&mut self, time: f64, out: &mut dyn FnMut(Chunk<'_>)) {
        let Some((&first, _)) = self.pending.first_key_value() else {
            return;
        };
        if first > self.offset {
            let len = first - self.offset;
            self.stats.gaps += 1;
            out(Chunk::Gap {
                offset: self.offset,
                len,
                time,
            });
            self.offset = first;
            if let Some(n) = &mut self.next {
                *n = n.wrapping_add(len as u32);
            }
        }
        self.drain(out);
    }

    /// End of the connection or of the capture: every pending segment is delivered, holes
    /// before them reported as gaps.
    pub fn flush(&mut self, time: f64, out: &mut dyn FnMut(Chunk<'_>)) {
        while !self.pending.is_empty() {
            self.skip_hole(time, out);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn run(segs: &[(u32, &[u8])]) -> (Vec<u8>, Vec<(u64, u64)>, TcpDirStats) {
        let mut r = Reassembler::default();
        let mut data = Vec::new();
        let mut gaps = Vec::new();
        let mut sink = |c: Chunk<'_>| match c {
            Chunk::Data { offset, bytes, .. } => {
                assert_eq!(
                    offset as usize,
                    data.len()
                        + gaps
                            .iter()
                            .map(|g: &(u64, u64)| g.1 as usize)
                            .sum::<usize>()
                );
                data.extend_from_slice(bytes)
            }
            Chunk::Gap { offset, len, .. } => gaps.push((offset, len)),
        };
        r.segment(segs[0].0.wrapping_sub(1), true, false, &[], 0.0, &mut sink);
        for (seq, p) in segs {
            r.segment(*seq, false, false, p, 0.0, &mut sink);
        }
        r.flush(0.0, &mut sink);
        (data, gaps, r.stats)
    }

    #[test]
    fn in_order_reordered_duplicated_overlapping_wrapping() {
        let base = u32::MAX - 3;
        let (d, g, s) = run(&[
            (base, b"abc"),
            (base.wrapping_add(6), b"ghi"),
            (base.wrapping_add(3), b"def"),
            (base.wrapping_add(3), b"def"),
            (base.wrapping_add(5), b"XghiJ"),
            (base.wrapping_add(2), b"cXXX"),
        ]);
        assert_eq!(d, b"abcdefghiJ");
        assert!(g.is_empty());
        assert_eq!(s.out_of_order, 1);
        assert_eq!(s.retransmitted, 2);
        assert_eq!(s.overlaps, 1);
    }

    #[test]
    fn gap_is_reported() {
        let (d, g, s) = run(&[(100, b"ab"), (105, b"fg")]);
        assert_eq!(d, b"abfg");
        assert_eq!(g, vec![(2, 3)]);
        assert_eq!(s.gaps, 1);
    }

    #[test]
    fn pending_data_is_bounded() {
        let mut r = Reassembler::default();
        let mut gaps = Vec::new();
        let mut delivered = 0usize;
        let mut sink = |c: Chunk<'_>| match c {
            Chunk::Data { bytes, .. } => delivered += bytes.len(),
            Chunk::Gap { offset, len, .. } => gaps.push((offset, len)),
        };
        r.segment(0, true, false, &[], 0.0, &mut sink);
        // Byte 1 never arrives; 64 KiB segments pile up behind the hole.
        let seg = vec![7u8; 65536];
        for i in 0..100u32 {
            r.segment(2 + i * 65536, false, false, &seg, 0.0, &mut sink);
            assert!(r.pending_bytes <= MAX_PENDING + seg.len());
        }
        assert_eq!(gaps, vec![(0, 1)]);
        assert_eq!(r.stats.gaps, 1);
        assert!(delivered > MAX_PENDING);
    }

    #[test]
    fn overlap_inside_pending() {
        let (d, _, s) = run(&[(0, b"a"), (3, b"de"), (2, b"CDEF"), (1, b"b")]);
        assert_eq!(d, b"abCdeF");
        assert_eq!(s.overlaps, 1);
    }
}
