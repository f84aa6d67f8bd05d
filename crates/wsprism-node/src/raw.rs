//! The hot functions as plain Node-API callbacks.
//!
//! napi-rs wraps every `#[napi]` function that takes arguments in a "native borrow scope"
//! (thread-local bookkeeping, a heap allocation and an `Arc` per call) that costs about as much
//! as the call itself: ~200 ns, measured with `perf` on `isValidUtf8` of 32 bytes (345 ns per
//! call through `#[napi]`). The per-chunk `decoderPush`, `mask` and `isValidUtf8` are
//! therefore registered here as raw callbacks: `napi_get_cb_info`, `napi_get_buffer_info` /
//! `napi_get_typedarray_info`, the engine call, done. Everything slower and rarer stays on the
//! safe napi-rs API.
//!
//! A decoder is a plain JS object wrapped around a `Box<DecoderState>` (`napi_wrap`) and
//! type-tagged (`napi_type_tag_object`, Node-API 8), so a callback only dereferences the
//! pointer of an object that this addon created as a decoder.

#![allow(unsafe_code)]

use crate::DecoderState;
use napi::bindgen_prelude::{FromNapiValue, Object, ToNapiValue, TypeName, ValueType};
use napi::{sys, Env, Error, JsValue, Result, Status};
use napi_derive::napi;
use std::ffi::{c_void, CStr};
use std::ptr;

const DECODER_TAG: sys::napi_type_tag = sys::napi_type_tag {
    lower: 0x7773_7072_6973_6d00, // "wsprism\0"
    upper: 0x6465_636f_6465_7231, // "decoder1"
};

/// A `napi_value` returned as is.
pub struct RawValue(sys::napi_value);

impl ToNapiValue for RawValue {
    unsafe fn to_napi_value(_env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        Ok(val.0)
    }
}

impl TypeName for RawValue {
    fn type_name() -> &'static str {
        "object"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

/// Drops a decoder and gives back the external memory reported for it.
///
/// # Safety
/// `data` is a `Box<DecoderState>` leaked by `wrap_decoder` and no longer wrapped by an object.
unsafe fn drop_decoder(env: sys::napi_env, data: *mut c_void) {
    if data.is_null() {
        return;
    }
    // SAFETY: per the contract, we own the box now.
    let state = unsafe { Box::from_raw(data.cast::<DecoderState>()) };
    let mut changed = 0i64;
    // SAFETY: plain Node-API call (allowed in finalizers: it runs no JavaScript).
    unsafe { sys::napi_adjust_external_memory(env, -state.reported, &mut changed) };
    drop(state);
}

unsafe extern "C" fn finalize_decoder(env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the `Box<DecoderState>` leaked by `wrap_decoder`; the finalizer runs
    // once, and never for a decoder released by `decoderFree` (its wrap was removed).
    unsafe { drop_decoder(env, data) };
}

fn check(status: sys::napi_status, what: &str) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(
            Status::GenericFailure,
            format!("{what} failed ({status})"),
        ))
    }
}

/// Wraps a decoder in a new type-tagged JS object that owns it.
pub fn wrap_decoder(env: &Env, state: DecoderState) -> Result<RawValue> {
    let env = env.raw();
    let mut obj = ptr::null_mut();
    // SAFETY: plain Node-API calls on the current env; the box is owned by the object from
    // `napi_wrap` on (freed by `finalize_decoder`), or freed here if wrapping fails.
    unsafe {
        check(sys::napi_create_object(env, &mut obj), "napi_create_object")?;
        let data = Box::into_raw(Box::new(state));
        let status = sys::napi_wrap(
            env,
            obj,
            data.cast(),
            Some(finalize_decoder),
            ptr::null_mut(),
            ptr::null_mut(),
        );
        if status != sys::Status::napi_ok {
            drop(Box::from_raw(data));
            return Err(Error::new(Status::GenericFailure, "napi_wrap failed"));
        }
        check(
            sys::napi_type_tag_object(env, obj, &DECODER_TAG),
            "napi_type_tag_object",
        )?;
    }
    Ok(RawValue(obj))
}

/// The decoder wrapped in `value`, if `value` is one of ours.
///
/// # Safety
/// `env` must be the current env. The returned reference must not outlive the callback.
unsafe fn decoder_from<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
) -> Option<&'a mut DecoderState> {
    let mut tagged = false;
    // SAFETY: Node-API calls with valid env/value; the pointer is ours because of the tag.
    unsafe {
        if sys::napi_check_object_type_tag(env, value, &DECODER_TAG, &mut tagged)
            != sys::Status::napi_ok
            || !tagged
        {
            return None;
        }
        let mut data = ptr::null_mut();
        if sys::napi_unwrap(env, value, &mut data) != sys::Status::napi_ok || data.is_null() {
            return None;
        }
        Some(&mut *data.cast::<DecoderState>())
    }
}

/// A decoder argument of a `#[napi]` function (the slow getters).
pub struct DecoderHandle(*mut DecoderState);

impl DecoderHandle {
    pub fn get(&self) -> &DecoderState {
        // SAFETY: checked by `from_napi_value`; JS keeps the object alive during the call.
        unsafe { &*self.0 }
    }

    pub fn get_mut(&mut self) -> &mut DecoderState {
        // SAFETY: as in `get`; JS is single-threaded and no other reference lives during the call.
        unsafe { &mut *self.0 }
    }
}

impl FromNapiValue for DecoderHandle {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        // SAFETY: forwarded from the caller's contract.
        match unsafe { decoder_from(env, value) } {
            Some(d) => Ok(DecoderHandle(d)),
            None => Err(Error::new(Status::InvalidArg, "expected a wsprism decoder")),
        }
    }
}

impl TypeName for DecoderHandle {
    fn type_name() -> &'static str {
        "object"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

unsafe fn throw_type_error(env: sys::napi_env, msg: &CStr) -> sys::napi_value {
    // SAFETY: valid env and NUL-terminated strings.
    unsafe {
        sys::napi_throw_type_error(env, c"ERR_INVALID_ARG_TYPE".as_ptr(), msg.as_ptr());
    }
    ptr::null_mut()
}

unsafe fn throw(env: sys::napi_env, e: &Error) -> sys::napi_value {
    let msg = std::ffi::CString::new(e.reason.replace('\0', " ")).unwrap_or_default();
    // SAFETY: valid env and NUL-terminated strings.
    unsafe {
        sys::napi_throw_error(env, ptr::null(), msg.as_ptr());
    }
    ptr::null_mut()
}

unsafe fn undefined(env: sys::napi_env) -> sys::napi_value {
    let mut v = ptr::null_mut();
    // SAFETY: valid env.
    unsafe { sys::napi_get_undefined(env, &mut v) };
    v
}

/// The first `N` arguments (missing ones are `undefined`).
unsafe fn args<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Option<[sys::napi_value; N]> {
    let mut argv = [ptr::null_mut(); N];
    let mut argc = N;
    // SAFETY: argv has room for argc values.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    (status == sys::Status::napi_ok).then_some(argv)
}

/// The bytes of a Buffer / TypedArray / DataView argument.
unsafe fn bytes<'a>(env: sys::napi_env, value: sys::napi_value) -> Option<&'a mut [u8]> {
    let mut data = ptr::null_mut();
    let mut len = 0usize;
    // SAFETY: Node-API call; a non-null pointer covers `len` bytes for the callback's duration.
    unsafe {
        if sys::napi_get_buffer_info(env, value, &mut data, &mut len) != sys::Status::napi_ok {
            return None;
        }
        if len == 0 || data.is_null() {
            return Some(&mut []);
        }
        Some(std::slice::from_raw_parts_mut(data.cast::<u8>(), len))
    }
}

/// The u32 elements of a Uint32Array argument.
unsafe fn u32s<'a>(env: sys::napi_env, value: sys::napi_value) -> Option<&'a mut [u32]> {
    let mut ty = 0;
    let mut len = 0usize;
    let mut data = ptr::null_mut();
    // SAFETY: Node-API call; the typed array's data is u32-aligned and covers `len` elements.
    unsafe {
        if sys::napi_get_typedarray_info(
            env,
            value,
            &mut ty,
            &mut len,
            &mut data,
            ptr::null_mut(),
            ptr::null_mut(),
        ) != sys::Status::napi_ok
            || ty != sys::TypedarrayType::uint32_array
        {
            return None;
        }
        if len == 0 || data.is_null() {
            return Some(&mut []);
        }
        Some(std::slice::from_raw_parts_mut(data.cast::<u32>(), len))
    }
}

unsafe fn uint32(env: sys::napi_env, value: sys::napi_value) -> Option<u32> {
    let mut v = 0u32;
    // SAFETY: Node-API call.
    (unsafe { sys::napi_get_value_uint32(env, value, &mut v) } == sys::Status::napi_ok).then_some(v)
}

/// `decoderPush(decoder, chunk, table)`: decodes `chunk` in place; see
/// [`DecoderState::push`] for the table rows. Returns `undefined` or the array of assembled
/// payloads and the error.
unsafe extern "C" fn decoder_push(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY (whole body): Node-API calls on the callback's env; the slices live for the call.
    unsafe {
        let Some([d, c, t]) = args::<3>(env, info) else {
            return throw_type_error(env, c"decoderPush: bad arguments");
        };
        let Some(dec) = decoder_from(env, d) else {
            return throw_type_error(env, c"decoderPush: expected a wsprism decoder");
        };
        let Some(chunk) = bytes(env, c) else {
            return throw_type_error(env, c"decoderPush: chunk must be a Buffer or Uint8Array");
        };
        let Some(table) = u32s(env, t) else {
            return throw_type_error(env, c"decoderPush: table must be a Uint32Array");
        };
        let e = Env::from_raw(env);
        let r = dec.push(&e, chunk, table);
        let now = dec.held();
        if now != dec.reported {
            let mut changed = 0i64;
            sys::napi_adjust_external_memory(env, now - dec.reported, &mut changed);
            dec.reported = now;
        }
        match r {
            Ok(None) => undefined(env),
            Ok(Some(arr)) => match ToNapiValue::to_napi_value(env, arr) {
                Ok(v) => v,
                Err(err) => throw(env, &err),
            },
            Err(err) => throw(env, &err),
        }
    }
}

/// `decoderFree(decoder)`: releases the decoder's native state now (buffers, inflate state);
/// the object stays but is no longer a decoder (later calls with it throw a `TypeError`).
/// Idempotent: freeing a freed decoder does nothing.
unsafe extern "C" fn decoder_free(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY (whole body): Node-API calls on the callback's env.
    unsafe {
        let Some([d]) = args::<1>(env, info) else {
            return throw_type_error(env, c"decoderFree: bad arguments");
        };
        if decoder_from(env, d).is_some() {
            let mut data = ptr::null_mut();
            if sys::napi_remove_wrap(env, d, &mut data) == sys::Status::napi_ok {
                // The wrap (and with it the finalizer) is gone: the box is ours to drop.
                drop_decoder(env, data);
            }
        }
        undefined(env)
    }
}

/// `mask(data, key, offset)`: XOR in place with the big-endian u32 `key` from key position
/// `offset % 4`.
unsafe extern "C" fn mask(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY (whole body): Node-API calls on the callback's env; the slice lives for the call.
    unsafe {
        let Some([b, k, o]) = args::<3>(env, info) else {
            return throw_type_error(env, c"mask: bad arguments");
        };
        let (Some(data), Some(key), Some(offset)) = (bytes(env, b), uint32(env, k), uint32(env, o))
        else {
            return throw_type_error(env, c"mask: expected (Buffer, uint32 key, uint32 offset)");
        };
        wsprism::apply_mask(data, key.to_be_bytes(), offset as usize);
        undefined(env)
    }
}

/// `isValidUtf8(data)`.
unsafe extern "C" fn is_valid_utf8(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY (whole body): Node-API calls on the callback's env; the slice lives for the call.
    unsafe {
        let Some([b]) = args::<1>(env, info) else {
            return throw_type_error(env, c"isValidUtf8: bad arguments");
        };
        let Some(data) = bytes(env, b) else {
            return throw_type_error(env, c"isValidUtf8: expected a Buffer or Uint8Array");
        };
        let mut v = ptr::null_mut();
        sys::napi_get_boolean(env, wsprism::is_valid_utf8(data), &mut v);
        v
    }
}

/// Registers the raw callbacks on the module's exports.
#[napi(module_exports)]
pub fn register(exports: Object, env: Env) -> Result<()> {
    let raw_env = env.raw();
    let exports = exports.raw();
    let fns: [(&CStr, sys::napi_callback); 4] = [
        (c"decoderPush", Some(decoder_push)),
        (c"decoderFree", Some(decoder_free)),
        (c"mask", Some(mask)),
        (c"isValidUtf8", Some(is_valid_utf8)),
    ];
    for (name, cb) in fns {
        let mut f = ptr::null_mut();
        // SAFETY: Node-API calls on the module's env with NUL-terminated names.
        unsafe {
            check(
                sys::napi_create_function(
                    raw_env,
                    name.as_ptr(),
                    name.to_bytes().len() as isize,
                    cb,
                    ptr::null_mut(),
                    &mut f,
                ),
                "napi_create_function",
            )?;
            check(
                sys::napi_set_named_property(raw_env, exports, name.as_ptr(), f),
                "napi_set_named_property",
            )?;
        }
    }
    Ok(())
}
