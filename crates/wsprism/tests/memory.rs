//! What the compression states really allocate, measured with a counting allocator, against
//! the estimates the engine reports (`Inflater::state_size`, `Deflater::state_size`), and that
//! nothing is allocated before the first compressed message (lazy state).
#![allow(clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::SeqCst};
use std::sync::Mutex;
use wsprism::deflate::{Deflater, Inflater};

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);
// The allocator is process-wide: one measurement at a time.
static ONE: Mutex<()> = Mutex::new(());

fn one() -> std::sync::MutexGuard<'static, ()> {
    ONE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, SeqCst);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, SeqCst);
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn live() -> isize {
    LIVE.load(SeqCst)
}

/// Zero, give or take what the test harness's own threads allocate meanwhile (far below the
/// 30-370 KB a compression state takes).
fn about_zero(delta: isize, what: &str) {
    assert!(delta.abs() < 4096, "{what}: {delta} B");
}

fn close_to(measured: isize, estimate: usize, what: &str) {
    let (m, e) = (measured as f64, estimate as f64);
    assert!(
        (m - e).abs() <= e * 0.15,
        "{what}: estimate {estimate} B, measured {measured} B"
    );
}

#[test]
fn inflate_state_is_lazy_and_its_size_is_known() {
    let _g = one();
    let mut wire = Vec::new();
    Deflater::new(15, false, 6)
        .compress(b"hello hello", &mut wire)
        .unwrap();
    let before = live();
    let mut inf = Inflater::new(15, false);
    about_zero(
        live() - before,
        "nothing allocated before a compressed message",
    );
    assert!(!inf.is_allocated());
    let mut out = Vec::with_capacity(64);
    let base = live();
    inf.inflate(&wire, &mut out, 1 << 20).unwrap();
    inf.finish(&mut out, 1 << 20).unwrap();
    assert_eq!(out, b"hello hello");
    // `out` may have grown beyond its first 64 bytes: that is the message, not the state.
    let grown = out.capacity() as isize - 64;
    close_to(live() - base - grown, inf.state_size(), "inflate state");
    inf.release();
    about_zero(live() - grown - base, "release frees it all");
}

#[test]
fn without_context_takeover_the_inflate_state_lives_only_during_a_message() {
    let _g = one();
    let mut wire = Vec::new();
    let mut def = Deflater::new(15, true, 6);
    def.compress(b"hello hello", &mut wire).unwrap();
    for takeover in [true, false] {
        let mut inf = Inflater::new(15, !takeover);
        for _ in 0..3 {
            // Room for the inflate steps up front: what `finish` frees is then the state alone.
            let mut out = Vec::with_capacity(1 << 17);
            inf.inflate(&wire, &mut out, 1 << 20).unwrap();
            assert!(inf.is_allocated(), "allocated while a message is inflated");
            let base = live();
            inf.finish(&mut out, 1 << 20).unwrap();
            assert_eq!(out, b"hello hello");
            if takeover {
                assert!(inf.is_allocated(), "with takeover the window stays");
            } else {
                assert!(!inf.is_allocated(), "freed at the end of the message");
                close_to(base - live(), inf.state_size(), "freed state");
            }
        }
    }
}

#[test]
fn deflate_state_is_lazy_and_sized_by_window_and_mem_level() {
    let _g = one();
    for (bits, mem) in [(15, 8), (15, 1), (9, 1), (12, 4), (15, 9)] {
        let before = live();
        let mut d = Deflater::with_mem_level(bits, false, 6, mem);
        about_zero(live() - before, "lazy");
        let mut out = Vec::with_capacity(256);
        let base = live();
        d.compress(b"hello hello hello", &mut out).unwrap();
        let grown = out.capacity() as isize - 256;
        close_to(
            live() - base - grown,
            d.state_size(),
            &format!("deflate state {bits}/{mem}"),
        );
        assert_eq!(d.heap_size(), d.state_size());
        d.release();
        about_zero(live() - grown - base, "release");
    }
}
