//! UTF-8 validation, whole and incremental.
//!
//! [`Utf8Validator`] is fed a text message piece by piece (frames, and reads within frames) and
//! fails as soon as the bytes seen so far can no longer be the start of valid UTF-8 — not at the
//! end of the message — which is what Autobahn's strict 6.4.* cases check. Bulk validation uses
//! `simdutf8` (SIMD on x86_64 and wasm32 `simd128`).

/// True if `data` is entirely valid UTF-8.
#[inline]
pub fn is_valid_utf8(data: &[u8]) -> bool {
    if data.len() < 64 {
        if data.is_ascii() {
            return true;
        }
        // simdutf8 hands inputs shorter than one 64-byte block to the (slower) scalar std
        // validator. Validate a zero-padded copy with SIMD instead: the padding is ASCII, and a
        // sequence left unfinished by `data` meets a 0x00 where a continuation byte must be, so
        // it fails exactly as it should.
        let mut block = [0u8; 64];
        if let Some(dst) = block.get_mut(..data.len()) {
            dst.copy_from_slice(data);
        }
        return simdutf8::basic::from_utf8(&block).is_ok();
    }
    simdutf8::basic::from_utf8(data).is_ok()
}

/// Where validation failed. The invalid (or unfinished) sequence starts `valid_up_to` bytes into
/// the failing call's input, minus `carried` bytes that came from earlier calls: its stream
/// position is `start_of_this_input + valid_up_to - carried`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utf8Error {
    /// Bytes of the failing call's input that were valid.
    pub valid_up_to: usize,
    /// Bytes of the bad sequence that were fed by earlier calls (0-3).
    pub carried: usize,
}

/// Incremental UTF-8 validator. Holds at most 3 bytes of an incomplete code point.
#[derive(Debug, Clone, Default)]
pub struct Utf8Validator {
    partial: [u8; 4],
    partial_len: u8,
}

/// The number of bytes of the sequence that starts with `b` (0 for bytes that cannot start one).
#[inline]
fn width(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 0,
    }
}

impl Utf8Validator {
    /// A validator at the start of a message.
    pub const fn new() -> Self {
        Self {
            partial: [0; 4],
            partial_len: 0,
        }
    }

    /// Forgets any pending partial sequence (start of a new message).
    pub fn reset(&mut self) {
        self.partial_len = 0;
    }

    /// True if the bytes fed so far end in the middle of a code point.
    pub fn is_incomplete(&self) -> bool {
        self.partial_len != 0
    }

    /// How many bytes of an unfinished code point are held (0-3).
    pub fn pending_len(&self) -> usize {
        usize::from(self.partial_len)
    }

    /// Validates the next piece of the message. Fails as soon as the input cannot be valid.
    pub fn feed(&mut self, mut data: &[u8]) -> Result<(), Utf8Error> {
        let mut consumed = 0usize;
        if self.partial_len > 0 {
            // Complete the pending code point with the first bytes of `data`.
            let have = usize::from(self.partial_len);
            let need = self
                .partial
                .first()
                .map_or(0, |&b| width(b))
                .saturating_sub(have);
            let take = need.min(data.len());
            let (head, rest) = data.split_at(take);
            let mut seq = self.partial;
            for (i, &b) in head.iter().enumerate() {
                if let Some(s) = seq.get_mut(have + i) {
                    *s = b;
                }
            }
            let seq = seq.get(..have + take).unwrap_or_default();
            match std::str::from_utf8(seq) {
                Ok(_) => self.partial_len = 0,
                Err(e) if e.error_len().is_none() => {
                    // Still a valid prefix, and `data` is exhausted.
                    self.partial_len = seq.len() as u8;
                    self.partial = [0; 4];
                    for (d, s) in self.partial.iter_mut().zip(seq) {
                        *d = *s;
                    }
                    return Ok(());
                }
                Err(_) => {
                    return Err(Utf8Error {
                        valid_up_to: 0,
                        carried: have,
                    })
                }
            }
            consumed = take;
            data = rest;
        }
        if data.is_ascii() || simdutf8::basic::from_utf8(data).is_ok() {
            return Ok(());
        }
        match simdutf8::compat::from_utf8(data) {
            Ok(_) => Ok(()),
            Err(e) => {
                let up_to = e.valid_up_to();
                if e.error_len().is_some() {
                    return Err(Utf8Error {
                        valid_up_to: consumed + up_to,
                        carried: 0,
                    });
                }
                // A valid but incomplete sequence at the end: keep it (at most 3 bytes).
                let tail = data.get(up_to..).unwrap_or_default();
                self.partial = [0; 4];
                for (d, s) in self.partial.iter_mut().zip(tail) {
                    *d = *s;
                }
                self.partial_len = tail.len().min(3) as u8;
                Ok(())
            }
        }
    }

    /// Ends the message: fails if it stopped in the middle of a code point (`carried` is then
    /// the length of that unfinished sequence).
    pub fn finish(&mut self) -> Result<(), Utf8Error> {
        let pending = usize::from(self.partial_len);
        self.partial_len = 0;
        if pending != 0 {
            Err(Utf8Error {
                valid_up_to: 0,
                carried: pending,
            })
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn feed_all(chunks: &[&[u8]]) -> Result<(), usize> {
        let mut v = Utf8Validator::new();
        for (i, c) in chunks.iter().enumerate() {
            v.feed(c).map_err(|_| i)?;
        }
        v.finish().map_err(|_| chunks.len())
    }

    #[test]
    fn short_inputs_use_the_padded_block_correctly() {
        // Unfinished sequences at the very end of a short input must still fail.
        for bad in [
            &[0xe2u8, 0x82][..],
            &[0xf0, 0x9f, 0xa6],
            &[0xc3],
            &[b'a'; 62].iter().copied().chain([0xc3]).collect::<Vec<_>>(),
        ] {
            assert!(!is_valid_utf8(bad), "{bad:02x?}");
        }
        for n in 0..64 {
            let s: String = "é€🦀a".chars().cycle().take(n).collect();
            assert!(is_valid_utf8(s.as_bytes()));
            assert_eq!(
                is_valid_utf8(&s.as_bytes()[..s.len().saturating_sub(1)]),
                std::str::from_utf8(&s.as_bytes()[..s.len().saturating_sub(1)]).is_ok()
            );
        }
    }

    #[test]
    fn whole() {
        assert!(is_valid_utf8(b"Hello"));
        assert!(is_valid_utf8("κόσμε".as_bytes()));
        assert!(!is_valid_utf8(&[0xce, 0xba, 0xe1, 0xbd]));
        assert!(!is_valid_utf8(&[0xed, 0xa0, 0x80])); // surrogate
        assert!(!is_valid_utf8(&[0xf4, 0x90, 0x80, 0x80])); // > U+10FFFF
        assert!(!is_valid_utf8(&[0xc0, 0xaf])); // overlong
    }

    #[test]
    fn every_split_of_valid_text_is_valid() {
        let s = "Hello-µ@ßöäüàá-UTF-8!! κόσμε 𝄞 €".as_bytes();
        for i in 0..=s.len() {
            for j in i..=s.len() {
                assert_eq!(feed_all(&[&s[..i], &s[i..j], &s[j..]]), Ok(()), "{i} {j}");
            }
        }
    }

    #[test]
    fn fails_fast_on_the_first_impossible_byte() {
        // Autobahn 6.4.1: κόσμε followed by 0xf4 0x90 (cannot be valid), then more bytes.
        let good = "κόσμε".as_bytes();
        let mut v = Utf8Validator::new();
        v.feed(good).unwrap();
        assert!(
            v.feed(&[0xf4]).is_ok(),
            "0xf4 alone is still a possible prefix"
        );
        assert!(
            v.feed(&[0x90]).is_err(),
            "0xf4 0x90 is past U+10FFFF: fail now"
        );
        // In one piece, the offset points at the bad sequence.
        let mut bad = good.to_vec();
        bad.extend_from_slice(&[0xf4, 0x90, 0x80, 0x80, 0x65]);
        let e = Utf8Validator::new().feed(&bad).unwrap_err();
        assert_eq!(e.valid_up_to, good.len());
        // Surrogate prefix ED A0 fails at the second byte.
        let mut v = Utf8Validator::new();
        v.feed(&[0xed]).unwrap();
        assert!(v.feed(&[0xa0]).is_err());
    }

    #[test]
    fn incomplete_at_end_fails_on_finish() {
        assert_eq!(feed_all(&[&[0xce]]), Err(1));
        assert_eq!(feed_all(&[b"ab", &[0xe2, 0x82]]), Err(2));
        assert_eq!(feed_all(&[b"ab", &[0xe2, 0x82], &[0xac]]), Ok(()));
    }

    #[test]
    fn partial_sequence_spanning_three_feeds() {
        let euro_g = "𝄞".as_bytes(); // 4 bytes
        assert_eq!(
            feed_all(&[&euro_g[..1], &euro_g[1..2], &euro_g[2..3], &euro_g[3..]]),
            Ok(())
        );
    }
}
