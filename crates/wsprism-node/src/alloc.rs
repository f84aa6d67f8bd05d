//! The addon's allocator: large blocks straight from the kernel, so a server whose connections
//! come and go gives their memory back.
//!
//! A permessage-deflate compressor is one 200-370 KB block (zlib's window, hash table and
//! buffers), a decompressor one of about 43 KB. glibc's malloc serves the first large blocks
//! with `mmap`, but once one is freed it raises its mmap threshold above that size ("dynamic
//! threshold") and serves the rest from its heap, where thousands of short connections leave
//! holes that are never returned. Measured with 20,000 churned deflate connections, 50 at a time
//! (`npm run bench:soak -- --churn-count 20000`), server RSS at the end:
//! - malloc alone: 305-317 MB (`ws`: 101-111 MB);
//! - blocks of 128 KiB and more mapped here (the compressors): 107-112 MB (`ws`: 102-104);
//! - blocks of 32 KiB and more mapped here (the decompressors too): 87-88 MB (`ws`: 103-104).
//!
//! This allocator fixes the threshold for the addon's own allocations only (nothing else in the
//! Node process is affected): blocks of [`BIG`] bytes and more are mapped and unmapped directly,
//! everything smaller goes to the system allocator as before. The price is a few system calls
//! and fresh pages per connection that compresses.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr;

/// Blocks of at least this many bytes (and page alignment or less) are mapped directly.
pub const BIG: usize = 32 * 1024;
const PAGE: usize = 4096;

pub struct Alloc;

fn big(size: usize, align: usize) -> bool {
    size >= BIG && align <= PAGE
}

unsafe fn map(size: usize) -> *mut u8 {
    // SAFETY: an anonymous private mapping; no file, no existing memory involved.
    let p = unsafe {
        libc::mmap(
            ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        ptr::null_mut()
    } else {
        p.cast()
    }
}

// SAFETY: every block is freed by the path that allocated it: the choice depends only on the
// layout (size and alignment), which the caller passes unchanged to `dealloc`/`realloc`.
unsafe impl GlobalAlloc for Alloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if big(l.size(), l.align()) {
            // SAFETY: see `map`.
            unsafe { map(l.size()) }
        } else {
            // SAFETY: forwarded contract.
            unsafe { System.alloc(l) }
        }
    }

    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if big(l.size(), l.align()) {
            // SAFETY: anonymous mappings are zero-filled.
            unsafe { map(l.size()) }
        } else {
            // SAFETY: forwarded contract.
            unsafe { System.alloc_zeroed(l) }
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if big(l.size(), l.align()) {
            // SAFETY: `p` is a mapping of `l.size()` bytes made by `map`.
            unsafe { libc::munmap(p.cast(), l.size()) };
        } else {
            // SAFETY: forwarded contract.
            unsafe { System.dealloc(p, l) }
        }
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        let (was, will) = (big(l.size(), l.align()), big(new_size, l.align()));
        if !was && !will {
            // SAFETY: forwarded contract.
            return unsafe { System.realloc(p, l, new_size) };
        }
        if was && will {
            // SAFETY: `p` is a mapping of `l.size()` bytes; on failure it stays as it was.
            let q = unsafe { libc::mremap(p.cast(), l.size(), new_size, libc::MREMAP_MAYMOVE) };
            return if q == libc::MAP_FAILED {
                ptr::null_mut()
            } else {
                q.cast()
            };
        }
        // Crossing the threshold: a new block from the other path, copy, free the old one.
        let Ok(nl) = Layout::from_size_align(new_size, l.align()) else {
            return ptr::null_mut();
        };
        // SAFETY: `nl` has a non-zero size (the caller's contract); the copy stays within both
        // blocks; the old block is freed by its own path.
        unsafe {
            let q = self.alloc(nl);
            if !q.is_null() {
                ptr::copy_nonoverlapping(p, q, l.size().min(new_size));
                self.dealloc(p, l);
            }
            q
        }
    }
}
