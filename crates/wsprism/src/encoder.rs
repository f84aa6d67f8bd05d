//! The encoder: messages and control frames to bytes.
//!
//! A client masks every frame with a fresh random key (RFC 6455 §5.3) unless the caller fixes
//! one; a server never masks. Messages can be fragmented and, with permessage-deflate
//! negotiated, compressed (RSV1 on the first frame only, RFC 7692 §6.1).
//!
//! ```
//! use wsprism::{Encoder, EncoderConfig, MessageOptions, Role};
//! let mut enc = Encoder::new(EncoderConfig { role: Role::Client, ..Default::default() });
//! let mut out = Vec::new();
//! let opts = MessageOptions { mask: Some([0x37, 0xfa, 0x21, 0x3d]), ..Default::default() };
//! enc.message(true, b"Hello", &opts, &mut out).unwrap();
//! assert_eq!(out, [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
//! ```

use crate::close::encode_close_payload;
use crate::deflate::{DeflateParams, Deflater, DEFAULT_MEM_LEVEL};
use crate::error::EncodeError;
use crate::frame::{encode_header_bits, OpCode, Role, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN};
use crate::mask::apply_mask;

/// Appends one frame (header + payload, masked if `mask` is given) to `out`. No protocol rule is
/// checked beyond the opcode fitting in 4 bits: this builds any frame, including invalid ones
/// (for tests and teaching). Use [`Encoder`] for frames that must be valid.
pub fn encode_frame(
    out: &mut Vec<u8>,
    fin: bool,
    rsv: [bool; 3],
    opcode: u8,
    mask: Option<[u8; 4]>,
    payload: &[u8],
) -> Result<(), EncodeError> {
    if opcode > 0x0f {
        return Err(EncodeError::OpcodeOutOfRange(opcode));
    }
    let mut hdr = [0u8; MAX_HEADER_LEN];
    let n = encode_header_bits(&mut hdr, fin, rsv, opcode, mask, payload.len() as u64);
    out.reserve(n + payload.len());
    out.extend_from_slice(hdr.get(..n).unwrap_or_default());
    let start = out.len();
    out.extend_from_slice(payload);
    if let (Some(k), Some(p)) = (mask, out.get_mut(start..)) {
        apply_mask(p, k, 0);
    }
    Ok(())
}

/// Checks a control frame the caller wants to send (RFC 6455 §5.5).
pub fn check_control(fin: bool, len: usize) -> Result<(), EncodeError> {
    if !fin {
        return Err(EncodeError::FragmentedControl);
    }
    if len > MAX_CONTROL_PAYLOAD {
        return Err(EncodeError::ControlTooLong(len));
    }
    Ok(())
}

/// Checks a single frame a caller builds by hand (the `encode` of the bindings and the CLI):
/// opcodes 0x8-0xF are control frames (RFC 6455 §5.5, the reserved ones too), so they must
/// have FIN set and at most 125 bytes of payload ([`check_control`]); data frames pass.
pub fn check_frame(opcode: u8, fin: bool, len: usize) -> Result<(), EncodeError> {
    if opcode > 0x0f {
        return Err(EncodeError::OpcodeOutOfRange(opcode));
    }
    if opcode & 0x8 != 0 {
        check_control(fin, len)?;
    }
    Ok(())
}

/// Encoder settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EncoderConfig {
    /// Which side we are: a client masks, a server does not.
    pub role: Role,
    /// permessage-deflate parameters, if negotiated.
    pub deflate: Option<DeflateParams>,
    /// Compression level 0-9 (default 6).
    pub level: Option<u32>,
    /// zlib's `memLevel` 1-9 for the compressor (default 8): lower uses less memory per
    /// connection (see [`Deflater::state_size`]).
    pub mem_level: Option<u8>,
}

/// Per-message options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MessageOptions {
    /// Split the message into frames of at most this many payload bytes.
    pub fragment_size: Option<usize>,
    /// Compress (requires permessage-deflate).
    pub compress: bool,
    /// A fixed masking key (client only; default: a fresh random key per frame).
    pub mask: Option<[u8; 4]>,
    /// Client only: send the frames with no masking key at all. A client MUST mask (RFC 6455
    /// §5.1) and a server fails such a connection with 1002, so this exists to test servers
    /// (it is `ws`'s per-send `mask: false`). A server's frames are never masked anyway.
    pub unmasked: bool,
}

/// A pool of random bytes for masking keys, refilled from the OS in blocks (one syscall per 64
/// keys rather than per frame).
struct KeyPool {
    bytes: [u8; 256],
    pos: usize,
}

impl KeyPool {
    fn next(&mut self) -> Result<[u8; 4], EncodeError> {
        if self.pos + 4 > self.bytes.len() {
            getrandom::getrandom(&mut self.bytes)
                .map_err(|e| EncodeError::Random(e.to_string()))?;
            self.pos = 0;
        }
        let k = self
            .bytes
            .get(self.pos..self.pos + 4)
            .and_then(|s| s.first_chunk::<4>())
            .copied();
        self.pos += 4;
        k.ok_or_else(|| EncodeError::Random("key pool".into()))
    }
}

/// The compression scratch buffer is kept between messages up to this capacity.
const SCRATCH_KEEP: usize = 64 * 1024;

/// Encodes the frames of one direction of one connection.
pub struct Encoder {
    role: Role,
    deflater: Option<Deflater>,
    keys: KeyPool,
    /// A message begun with `fin: false` via [`Encoder::fragment`]: is it compressed?
    open: Option<bool>,
    scratch: Vec<u8>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("role", &self.role)
            .field("deflate", &self.deflater.is_some())
            .finish()
    }
}

impl Encoder {
    /// An encoder for `cfg.role`.
    pub fn new(cfg: EncoderConfig) -> Self {
        crate::stats::encoder_created();
        let level = cfg.level.unwrap_or(6);
        let mem = cfg.mem_level.unwrap_or(DEFAULT_MEM_LEVEL);
        let deflater = cfg.deflate.map(|p| match cfg.role {
            Role::Server => Deflater::with_mem_level(
                p.server_max_window_bits,
                p.server_no_context_takeover,
                level,
                mem,
            ),
            Role::Client => Deflater::with_mem_level(
                p.client_max_window_bits,
                p.client_no_context_takeover,
                level,
                mem,
            ),
        });
        Self {
            role: cfg.role,
            deflater,
            keys: KeyPool {
                bytes: [0; 256],
                pos: 256,
            },
            open: None,
            scratch: Vec::new(),
        }
    }

    /// True if permessage-deflate is active.
    pub fn can_compress(&self) -> bool {
        self.deflater.is_some()
    }

    /// Bytes this encoder holds on the heap now: its compression scratch buffer (by capacity)
    /// and the deflate state while it is allocated.
    pub fn heap_size(&self) -> usize {
        self.scratch.capacity() + self.deflater.as_ref().map_or(0, Deflater::heap_size)
    }

    /// True while a deflate state is allocated (a compressed message was sent and the
    /// encoder has not sent a close frame or been released since).
    pub fn has_deflate_state(&self) -> bool {
        self.deflater.as_ref().is_some_and(Deflater::is_allocated)
    }

    /// Frees the deflate state and the scratch buffer; a later compressed message allocates
    /// them again (and, sent with context takeover, refers to nothing before this call).
    /// Done by [`Encoder::close`] itself: no data follows a close frame.
    pub fn release(&mut self) {
        self.scratch = Vec::new();
        if let Some(d) = &mut self.deflater {
            d.release();
        }
    }

    /// The masking key for the next frame: none for a server, the fixed or a random one for a
    /// client.
    pub fn next_mask(&mut self, fixed: Option<[u8; 4]>) -> Result<Option<[u8; 4]>, EncodeError> {
        match (self.role, fixed) {
            (Role::Server, _) => Ok(None),
            (Role::Client, Some(k)) => Ok(Some(k)),
            (Role::Client, None) => self.keys.next().map(Some),
        }
    }

    /// The masking key for the next data frame of a message sent with `opts`.
    fn data_mask(&mut self, opts: &MessageOptions) -> Result<Option<[u8; 4]>, EncodeError> {
        if opts.unmasked {
            Ok(None)
        } else {
            self.next_mask(opts.mask)
        }
    }

    /// Appends a whole data message (text or binary) to `out`.
    pub fn message(
        &mut self,
        text: bool,
        payload: &[u8],
        opts: &MessageOptions,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        if self.open.is_some() {
            return Err(EncodeError::MessageInProgress);
        }
        if opts.fragment_size == Some(0) {
            return Err(EncodeError::ZeroFragmentSize);
        }
        let opcode = if text { OpCode::Text } else { OpCode::Binary }.as_u8();
        let mut compressed = std::mem::take(&mut self.scratch);
        let bytes: &[u8] = if opts.compress {
            let Some(d) = self.deflater.as_mut() else {
                self.scratch = compressed;
                return Err(EncodeError::CompressionNotNegotiated);
            };
            compressed.clear();
            d.compress(payload, &mut compressed)?;
            &compressed
        } else {
            payload
        };
        let r = self.write_frames(opcode, bytes, opts, out);
        // Keep a moderate buffer for the next message, not the largest one ever sent.
        if compressed.capacity() <= SCRATCH_KEEP {
            self.scratch = compressed;
        }
        r
    }

    fn write_frames(
        &mut self,
        opcode: u8,
        bytes: &[u8],
        opts: &MessageOptions,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let size = opts.fragment_size.unwrap_or(usize::MAX).max(1);
        if bytes.len() <= size {
            let mask = self.data_mask(opts)?;
            return encode_frame(
                out,
                true,
                [opts.compress, false, false],
                opcode,
                mask,
                bytes,
            );
        }
        let mut chunks = bytes.chunks(size).peekable();
        let mut first = true;
        while let Some(c) = chunks.next() {
            let fin = chunks.peek().is_none();
            let op = if first { opcode } else { 0 };
            let mask = self.data_mask(opts)?;
            encode_frame(
                out,
                fin,
                [first && opts.compress, false, false],
                op,
                mask,
                c,
            )?;
            first = false;
        }
        Ok(())
    }

    /// Appends one fragment of a message sent piece by piece (the `fin` option of `ws`'s
    /// `send`): the first call sets the opcode, later ones are continuations, `fin` ends it.
    /// With compression, each fragment is deflated with a sync flush and only the last one has
    /// the `00 00 ff ff` tail stripped.
    pub fn fragment(
        &mut self,
        text: bool,
        payload: &[u8],
        fin: bool,
        opts: &MessageOptions,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let (opcode, compressed, first) = match self.open {
            Some(c) => (0, c, false),
            None => (if text { 1 } else { 2 }, opts.compress, true),
        };
        let mut buf = Vec::new();
        let bytes: &[u8] = if compressed {
            let d = self
                .deflater
                .as_mut()
                .ok_or(EncodeError::CompressionNotNegotiated)?;
            d.compress_fragment(payload, fin, &mut buf)?;
            &buf
        } else {
            payload
        };
        let mask = self.data_mask(opts)?;
        encode_frame(
            out,
            fin,
            [first && compressed, false, false],
            opcode,
            mask,
            bytes,
        )?;
        self.open = if fin { None } else { Some(compressed) };
        Ok(())
    }

    /// True while a message begun with [`Encoder::fragment`] is unfinished.
    pub fn in_message(&self) -> bool {
        self.open.is_some()
    }

    /// Appends a ping (payload at most 125 bytes).
    pub fn ping(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.control(OpCode::Ping, payload, None, out)
    }

    /// Appends a pong (payload at most 125 bytes).
    pub fn pong(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.control(OpCode::Pong, payload, None, out)
    }

    /// Appends a close frame: `code` must be sendable, the reason at most 123 bytes.
    pub fn close(
        &mut self,
        code: Option<u16>,
        reason: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let payload = encode_close_payload(code, reason)?;
        self.control(OpCode::Close, &payload, None, out)?;
        // No data frame follows a close frame (RFC 6455 §5.5.1): the compressor goes now.
        self.release();
        Ok(())
    }

    /// Appends a control frame with an optional fixed masking key (client only).
    pub fn control(
        &mut self,
        op: OpCode,
        payload: &[u8],
        mask: Option<[u8; 4]>,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        check_control(true, payload.len())?;
        let mask = self.next_mask(mask)?;
        encode_frame(out, true, [false; 3], op.as_u8(), mask, payload)
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        crate::stats::encoder_dropped();
    }
}
