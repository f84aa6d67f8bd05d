//! Finding a credible frame boundary in a stream captured mid-way: several frames in a row
//! that the engine's header rules and decoder accept.

use super::*;

/// Bytes (both sides together) of a flow captured mid-stream that are searched for frames
/// before it is declared not WebSocket.
pub(super) const RESYNC_WINDOW: usize = 32 * 1024;

/// Frames in a row (well formed, and accepted by the decoder) that make a resynchronisation
/// point credible when nothing is known about the connection...
pub(super) const RESYNC_FRAMES: usize = 5;
/// ...and when the other direction already showed which side masks.
pub(super) const RESYNC_FRAMES_KNOWN: usize = 3;

/// A credible frame boundary found in `buf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hit {
    pub(super) offset: usize,
    /// The receiver's role (masked frames: a server receives them).
    pub(super) role: Role,
    pub(super) rsv1: bool,
}

/// Looks for the first offset from which several frames in a row are well formed (by the
/// engine's header rules) with the same masking (`role`, when known). At the end of a stream
/// (`last`), a run from offset 0 that ends exactly at the end of `buf` is enough.
pub(super) fn find_frames(
    buf: &[u8],
    role: Option<Role>,
    last: bool,
    max_frame: u64,
) -> Option<Hit> {
    for off in 0..buf.len() {
        let mut p = off;
        let mut count = 0;
        let mut in_message = false;
        let mut run_role = role;
        let mut rsv1 = false;
        while let Some(rest) = buf.get(p..).filter(|r| !r.is_empty()) {
            let Parsed::Complete { value: h, len } = parse_header(rest) else {
                break;
            };
            let r = if h.mask.is_some() {
                Role::Server
            } else {
                Role::Client
            };
            if run_role.is_some_and(|x| x != r) {
                break;
            }
            run_role = Some(r);
            let cx = HeaderContext {
                role: r,
                rsv1_allowed: true,
                in_message,
                max_frame_size: max_frame,
            };
            let mut bad = false;
            check_header(&h, &cx, |_| bad = true);
            if bad {
                break;
            }
            let end = (p as u64)
                .saturating_add(len as u64)
                .saturating_add(h.payload_len);
            if end > buf.len() as u64 {
                break;
            }
            rsv1 |= h.rsv1;
            count += 1;
            p = end as usize;
            match h.opcode {
                1 | 2 => in_message = !h.fin,
                0 if h.fin => in_message = false,
                _ => {}
            }
            let need = if role.is_some() {
                RESYNC_FRAMES_KNOWN
            } else {
                RESYNC_FRAMES
            };
            if count >= need {
                break;
            }
        }
        let need = if role.is_some() {
            RESYNC_FRAMES_KNOWN
        } else {
            RESYNC_FRAMES
        };
        let whole = last && off == 0 && count >= 1 && p == buf.len();
        if count >= need || whole {
            let Some(r) = run_role else { continue };
            if decodes(buf.get(off..p).unwrap_or_default(), r, rsv1, max_frame) {
                return Some(Hit {
                    offset: off,
                    role: r,
                    rsv1,
                });
            }
        }
    }
    None
}

/// True if the engine's decoder takes `run` (whole frames) without a protocol error (text
/// must be UTF-8, close frames well formed...): random bytes that happen to look like a few
/// frame headers rarely pass.
pub(super) fn decodes(run: &[u8], role: Role, rsv1: bool, max_frame: u64) -> bool {
    let mut dec = Decoder::new(DecoderConfig {
        role,
        max_frame_size: max_frame,
        max_message_size: wsprism::decoder::DEFAULT_MAX_MESSAGE_SIZE,
        deflate: rsv1.then(DeflateParams::default),
        ..Default::default()
    });
    let mut copy = run.to_vec();
    dec.decode_all(&mut copy).is_ok()
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    fn frames(n: usize) -> Vec<u8> {
        (0..n)
            .flat_map(|i| client_frame(2, &[i as u8; 3]))
            .collect()
    }

    #[test]
    fn a_run_of_frames_after_junk() {
        let mut buf = vec![0x7f, 0xff, 0x00];
        buf.extend(frames(RESYNC_FRAMES));
        let hit = find_frames(&buf, None, false, 1 << 20).unwrap();
        assert_eq!(hit.offset, 3);
        assert_eq!(hit.role, Role::Server);
        assert!(!hit.rsv1);
        // Fewer frames are enough once the masking is known; too few are not.
        let buf = frames(RESYNC_FRAMES_KNOWN);
        assert_eq!(find_frames(&buf, None, false, 1 << 20), None);
        let hit = find_frames(&buf, Some(Role::Server), false, 1 << 20).unwrap();
        assert_eq!(hit.offset, 0);
        // Unmasked frames are not a run for a server-bound direction.
        assert_eq!(find_frames(&buf, Some(Role::Client), false, 1 << 20), None);
        // At the end of a stream, whole frames from offset 0 to the end are enough.
        let buf = frames(1);
        assert_eq!(find_frames(&buf, None, false, 1 << 20), None);
        assert_eq!(
            find_frames(&buf, None, true, 1 << 20).map(|h| h.offset),
            Some(0)
        );
    }

    #[test]
    fn the_decoder_must_take_the_run() {
        let good: Vec<u8> = (0..3).flat_map(|_| client_frame(1, b"ok")).collect();
        assert!(decodes(&good, Role::Server, false, 1 << 20));
        let bad = client_frame(1, &[0xc0, 0xaf]); // not UTF-8
        assert!(!decodes(&bad, Role::Server, false, 1 << 20));
        assert!(!decodes(&good, Role::Client, false, 1 << 20)); // masked to a client
    }
}
