//! Masking (RFC 6455 §5.3): `payload[i] ^= key[i % 4]`. Unmasking is the same operation.
//!
//! [`apply_mask`] is resumable: `offset` is the position of `buf[0]` within the frame payload,
//! so a payload that arrives split across reads unmasks correctly piece by piece.
//!
//! Implementations, fastest available first:
//! - x86_64: AVX2 (runtime detected), else SSE2 (always present on x86_64);
//! - wasm32 built with `+simd128`: 128-bit lanes;
//! - everywhere else: 8 bytes at a time in a `u64`.
//!
//! This is the only module of the crate with `unsafe` code.

#![allow(unsafe_code)]

/// XORs `buf` with the masking `key`, where `buf[0]` is byte number `offset` of the payload.
#[inline]
pub fn apply_mask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let key = rotate_key(key, offset);
    if buf.len() < 32 {
        return apply_mask_u64(buf, key);
    }
    apply_mask_simd(buf, key)
}

/// The key as seen from payload position `offset`.
#[inline]
pub fn rotate_key(key: [u8; 4], offset: usize) -> [u8; 4] {
    let shift = (offset % 4) as u32 * 8;
    u32::from_le_bytes(key).rotate_right(shift).to_le_bytes()
}

/// A plain byte loop, the reference the tests and benchmarks compare against.
pub fn apply_mask_bytewise(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let key = rotate_key(key, offset);
    for (b, k) in buf.iter_mut().zip(key.iter().cycle()) {
        *b ^= k;
    }
}

/// The portable fallback: 8 bytes at a time, then 4, then the last 0-3 bytes.
#[inline]
fn apply_mask_u64(buf: &mut [u8], key: [u8; 4]) {
    let k32 = u32::from_ne_bytes(key);
    // Both halves hold the key, so this is right for either byte order.
    let k64 = u64::from(k32) * 0x1_0000_0001;
    let mut chunks = buf.chunks_exact_mut(8);
    for c in &mut chunks {
        if let Some(w) = c.first_chunk_mut::<8>() {
            *w = (u64::from_ne_bytes(*w) ^ k64).to_ne_bytes();
        }
    }
    // The tail starts at a multiple of 8, hence of 4: the key phase is unchanged.
    let tail = chunks.into_remainder();
    let word = if tail.len() >= 4 { 4 } else { 0 };
    if let Some((w4, rest)) = tail.split_at_mut_checked(word) {
        if let Some(w) = w4.first_chunk_mut::<4>() {
            *w = (u32::from_ne_bytes(*w) ^ k32).to_ne_bytes();
        }
        for (b, k) in rest.iter_mut().zip(key) {
            *b ^= k;
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[inline]
fn apply_mask_simd(buf: &mut [u8], key: [u8; 4]) {
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { x86::mask_avx2(buf, key) }
    } else {
        // SAFETY: SSE2 is part of the x86_64 baseline; every x86_64 CPU has it.
        unsafe { x86::mask_sse2(buf, key) }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn apply_mask_simd(buf: &mut [u8], key: [u8; 4]) {
    wasm::mask_simd128(buf, key)
}

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
#[inline]
fn apply_mask_simd(buf: &mut [u8], key: [u8; 4]) {
    apply_mask_u64(buf, key)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn mask_avx2(buf: &mut [u8], key: [u8; 4]) {
        let k = _mm256_set1_epi32(i32::from_ne_bytes(key));
        let mut chunks = buf.chunks_exact_mut(32);
        for c in &mut chunks {
            let p = c.as_mut_ptr() as *mut __m256i;
            // SAFETY: `c` is exactly 32 bytes of valid, exclusively borrowed memory; the
            // unaligned load/store intrinsics have no alignment requirement.
            unsafe { _mm256_storeu_si256(p, _mm256_xor_si256(_mm256_loadu_si256(p), k)) };
        }
        // The remainder starts at a multiple of 32, so the key phase is unchanged.
        // SAFETY: SSE2 is implied by AVX2.
        unsafe { mask_sse2(chunks.into_remainder(), key) }
    }

    /// # Safety
    /// The CPU must support SSE2 (every x86_64 CPU does).
    #[target_feature(enable = "sse2")]
    pub(super) unsafe fn mask_sse2(buf: &mut [u8], key: [u8; 4]) {
        let k = _mm_set1_epi32(i32::from_ne_bytes(key));
        let mut chunks = buf.chunks_exact_mut(16);
        for c in &mut chunks {
            let p = c.as_mut_ptr() as *mut __m128i;
            // SAFETY: `c` is exactly 16 bytes of valid, exclusively borrowed memory; the
            // unaligned load/store intrinsics have no alignment requirement.
            unsafe { _mm_storeu_si128(p, _mm_xor_si128(_mm_loadu_si128(p), k)) };
        }
        super::apply_mask_u64(chunks.into_remainder(), key)
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use core::arch::wasm32::*;

    pub(super) fn mask_simd128(buf: &mut [u8], key: [u8; 4]) {
        let k = u32x4_splat(u32::from_ne_bytes(key));
        let mut chunks = buf.chunks_exact_mut(16);
        for c in &mut chunks {
            let p = c.as_mut_ptr() as *mut v128;
            // SAFETY: `c` is exactly 16 bytes of valid, exclusively borrowed memory, and wasm
            // `v128.load`/`v128.store` accept unaligned addresses.
            unsafe { v128_store(p, v128_xor(v128_load(p), k)) };
        }
        super::apply_mask_u64(chunks.into_remainder(), key)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn rfc_hello() {
        let mut b = *b"Hello";
        apply_mask(&mut b, [0x37, 0xfa, 0x21, 0x3d], 0);
        assert_eq!(b, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
        apply_mask(&mut b, [0x37, 0xfa, 0x21, 0x3d], 0);
        assert_eq!(&b, b"Hello");
    }

    #[test]
    fn rotate() {
        assert_eq!(rotate_key([1, 2, 3, 4], 0), [1, 2, 3, 4]);
        assert_eq!(rotate_key([1, 2, 3, 4], 1), [2, 3, 4, 1]);
        assert_eq!(rotate_key([1, 2, 3, 4], 6), [3, 4, 1, 2]);
    }

    #[test]
    fn matches_bytewise_at_every_length_and_offset() {
        let key = [0xde, 0xad, 0xbe, 0xef];
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..300 {
            for off in 0..4 {
                // Misalign the start too.
                for start in 0..3 {
                    let mut a = data.clone();
                    let mut b = data.clone();
                    apply_mask(&mut a[start..start + len.min(300 - start)], key, off);
                    apply_mask_bytewise(&mut b[start..start + len.min(300 - start)], key, off);
                    assert_eq!(a, b, "len {len} offset {off} start {start}");
                }
            }
        }
    }

    #[test]
    fn resumable_across_splits() {
        let key = [9, 8, 7, 6];
        let orig: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        let mut whole = orig.clone();
        apply_mask(&mut whole, key, 0);
        for split in [1usize, 3, 5, 31, 33, 64, 999] {
            let mut parts = orig.clone();
            let (a, b) = parts.split_at_mut(split);
            apply_mask(a, key, 0);
            apply_mask(b, key, split);
            assert_eq!(parts, whole, "split at {split}");
        }
    }
}
