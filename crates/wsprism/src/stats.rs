//! Counts of live engine states, for leak tests and diagnostics (the `stats` feature).
//!
//! With the feature on, every [`Decoder`](crate::Decoder), [`Encoder`](crate::Encoder) and
//! every allocated inflate / deflate state is counted while it lives, so a binding can show
//! that ending a connection released its native state without waiting for a garbage
//! collector. Without the feature the counters are compiled out and [`live`] reports zeros.
//! These are the engine's only process-wide values; they never influence decoding or encoding.

/// How many engine states are alive now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LiveStates {
    /// [`Decoder`](crate::Decoder)s not yet dropped.
    pub decoders: u64,
    /// [`Encoder`](crate::Encoder)s not yet dropped.
    pub encoders: u64,
    /// Allocated inflate states (a decoder that has received a compressed message).
    pub inflaters: u64,
    /// Allocated deflate states (an encoder that has sent a compressed message).
    pub deflaters: u64,
}

#[cfg(feature = "stats")]
mod imp {
    use super::LiveStates;
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

    pub static DECODERS: AtomicU64 = AtomicU64::new(0);
    pub static ENCODERS: AtomicU64 = AtomicU64::new(0);
    pub static INFLATERS: AtomicU64 = AtomicU64::new(0);
    pub static DEFLATERS: AtomicU64 = AtomicU64::new(0);

    pub fn up(c: &AtomicU64) {
        c.fetch_add(1, Relaxed);
    }

    pub fn down(c: &AtomicU64) {
        c.fetch_sub(1, Relaxed);
    }

    pub fn live() -> LiveStates {
        LiveStates {
            decoders: DECODERS.load(Relaxed),
            encoders: ENCODERS.load(Relaxed),
            inflaters: INFLATERS.load(Relaxed),
            deflaters: DEFLATERS.load(Relaxed),
        }
    }
}

/// The engine states alive now (all zero without the `stats` feature).
pub fn live() -> LiveStates {
    #[cfg(feature = "stats")]
    {
        imp::live()
    }
    #[cfg(not(feature = "stats"))]
    {
        LiveStates::default()
    }
}

macro_rules! counter {
    ($up:ident, $down:ident, $c:ident) => {
        #[inline]
        pub(crate) fn $up() {
            #[cfg(feature = "stats")]
            imp::up(&imp::$c);
        }
        #[inline]
        pub(crate) fn $down() {
            #[cfg(feature = "stats")]
            imp::down(&imp::$c);
        }
    };
}

counter!(decoder_created, decoder_dropped, DECODERS);
counter!(encoder_created, encoder_dropped, ENCODERS);
counter!(inflater_allocated, inflater_freed, INFLATERS);
counter!(deflater_allocated, deflater_freed, DEFLATERS);
