//! Argument checking: JS values of any type in, Rust values or a coded JS error out.
//!
//! Nothing here can trap: sizes are checked before anything is copied into wasm memory, and
//! allocations use `try_reserve` so an impossible size becomes a `RangeError`.

use crate::errors::{arg_type, out_of_memory, out_of_range, range_error, INVALID_ARG_VALUE};
use js_sys::{JsString, Reflect, Uint8Array};
use wasm_bindgen::{prelude::wasm_bindgen, JsCast, JsValue};
use wsprism::{DeflateConfig, DeflateParams, Role};

/// Largest byte input accepted by any function (1 GiB): wasm32 memory is at most 4 GiB.
pub const MAX_INPUT: usize = 1 << 30;
/// Largest string accepted where a short string is expected (keys, header values).
pub const MAX_SHORT_STRING: u32 = 64 * 1024;

#[wasm_bindgen]
extern "C" {
    /// `ArrayBuffer.isView`: true only for genuine typed arrays and DataViews (never throws).
    #[wasm_bindgen(js_namespace = ArrayBuffer, js_name = isView)]
    fn is_view(v: &JsValue) -> bool;
}

/// `Vec` of `len` zero bytes, or a `RangeError` if wasm memory cannot hold it.
pub fn alloc_bytes(len: usize) -> Result<Vec<u8>, JsValue> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| out_of_memory(len))?;
    v.resize(len, 0);
    Ok(v)
}

/// Grows `buf` (never shrinks it) so it holds at least `len` bytes.
pub fn grow(buf: &mut Vec<u8>, len: usize) -> Result<(), JsValue> {
    if len > MAX_INPUT {
        return Err(out_of_range("length", "at most 1 GiB"));
    }
    if buf.len() < len {
        buf.try_reserve(len - buf.len())
            .map_err(|_| out_of_memory(len))?;
        buf.resize(len, 0);
    }
    Ok(())
}

/// A length argument: a finite integer in `0..=MAX_INPUT`.
pub fn length(v: f64, name: &str) -> Result<usize, JsValue> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= MAX_INPUT as f64 {
        Ok(v as usize)
    } else {
        Err(out_of_range(name, "an integer from 0 to 2^30"))
    }
}

/// The value as a genuine `Uint8Array` (typed arrays and DataViews are viewed as bytes;
/// an `ArrayBuffer` is viewed whole).
pub fn as_u8(v: &JsValue, name: &str) -> Result<Uint8Array, JsValue> {
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        if is_view(v) {
            return Ok(a.clone());
        }
    }
    if is_view(v) {
        if let Some(view) = v.dyn_ref::<js_sys::Object>() {
            let buffer = Reflect::get(view, &"buffer".into())?;
            let off = Reflect::get(view, &"byteOffset".into())?
                .as_f64()
                .unwrap_or(0.0);
            let len = Reflect::get(view, &"byteLength".into())?
                .as_f64()
                .unwrap_or(0.0);
            if let Some(ab) = buffer.dyn_ref::<js_sys::ArrayBuffer>() {
                return Ok(Uint8Array::new_with_byte_offset_and_length(
                    ab, off as u32, len as u32,
                ));
            }
        }
    }
    if let Some(ab) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(ab));
    }
    Err(arg_type(
        name,
        "a Uint8Array, Buffer, ArrayBufferView or ArrayBuffer",
    ))
}

/// Copies the bytes of a `Uint8Array`-like value into wasm memory.
pub fn bytes(v: &JsValue, name: &str) -> Result<Vec<u8>, JsValue> {
    let a = as_u8(v, name)?;
    let len = a.length() as usize;
    if len > MAX_INPUT {
        return Err(out_of_range(name, "at most 1 GiB long"));
    }
    let mut out = alloc_bytes(len)?;
    a.copy_to(&mut out);
    Ok(out)
}

/// Bytes from a `Uint8Array`-like value or a string (UTF-8).
pub fn bytes_or_string(v: &JsValue, name: &str) -> Result<Vec<u8>, JsValue> {
    if v.is_string() {
        return string(v, name, MAX_INPUT as u32 / 3).map(String::into_bytes);
    }
    bytes(v, name).map_err(|_| {
        arg_type(
            name,
            "a string, Uint8Array, Buffer, ArrayBufferView or ArrayBuffer",
        )
    })
}

/// A string argument of at most `max` UTF-16 units.
pub fn string(v: &JsValue, name: &str, max: u32) -> Result<String, JsValue> {
    if !v.is_string() {
        return Err(arg_type(name, "of type string"));
    }
    let len = v.unchecked_ref::<JsString>().length();
    if len > max {
        return Err(out_of_range(
            name,
            &format!("at most {max} characters long"),
        ));
    }
    v.as_string()
        .ok_or_else(|| arg_type(name, "of type string"))
}

/// An optional string (`undefined`/`null` → `None`).
pub fn opt_string(v: &JsValue, name: &str, max: u32) -> Result<Option<String>, JsValue> {
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        string(v, name, max).map(Some)
    }
}

/// True for `undefined` and `null`.
pub fn is_nullish(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// An options argument: `undefined`/`null` (no options) or an object.
pub fn options(v: &JsValue, name: &str) -> Result<Option<js_sys::Object>, JsValue> {
    if is_nullish(v) {
        return Ok(None);
    }
    if v.is_object() && !v.is_function() {
        return Ok(Some(v.clone().unchecked_into()));
    }
    Err(arg_type(name, "an object"))
}

/// `obj[key]` (a throwing getter becomes the thrown error, not a trap).
pub fn get(obj: &Option<js_sys::Object>, key: &str) -> Result<JsValue, JsValue> {
    match obj {
        Some(o) => Reflect::get(o, &JsValue::from_str(key)),
        None => Ok(JsValue::UNDEFINED),
    }
}

/// The first of `keys` that is present (not `undefined`) in `obj`.
pub fn get_any(obj: &Option<js_sys::Object>, keys: &[&str]) -> Result<JsValue, JsValue> {
    for k in keys {
        let v = get(obj, k)?;
        if !v.is_undefined() {
            return Ok(v);
        }
    }
    Ok(JsValue::UNDEFINED)
}

/// An optional boolean option: `default` if absent, a TypeError (`ERR_INVALID_ARG_TYPE`) for
/// anything but a boolean, as the Node package's options.
pub fn flag(v: &JsValue, name: &str, default: bool) -> Result<bool, JsValue> {
    if v.is_undefined() {
        Ok(default)
    } else {
        v.as_bool().ok_or_else(|| arg_type(name, "of type boolean"))
    }
}

/// An optional integer option in `min..=max` (`Infinity` means `max` when `inf_ok`).
pub fn opt_int(v: &JsValue, name: &str, min: f64, max: f64) -> Result<Option<f64>, JsValue> {
    if is_nullish(v) {
        return Ok(None);
    }
    let Some(n) = v.as_f64() else {
        return Err(arg_type(name, "of type number"));
    };
    if n == f64::INFINITY && max == f64::INFINITY {
        return Ok(Some(n));
    }
    if n.is_finite() && n.fract() == 0.0 && n >= min && n <= max {
        Ok(Some(n))
    } else {
        Err(out_of_range(
            name,
            &if max.is_infinite() {
                format!(
                    "a non-negative integer or Infinity (at least {})",
                    min as i64
                )
            } else {
                format!("an integer from {} to {}", min as i64, max as i64)
            },
        ))
    }
}

/// A size limit option: a non-negative integer or `Infinity`; absent → `default`.
pub fn limit(v: &JsValue, name: &str, default: u64) -> Result<u64, JsValue> {
    match opt_int(v, name, 0.0, f64::INFINITY)? {
        None => Ok(default),
        Some(n) if n.is_infinite() || n >= u64::MAX as f64 => Ok(u64::MAX),
        Some(n) => Ok(n as u64),
    }
}

/// A count limit such as `maxFragments`: an integer from 0 (no limit, the default) to 2^32 - 1.
pub fn count_limit(v: &JsValue, name: &str) -> Result<u32, JsValue> {
    Ok(opt_int(v, name, 0.0, f64::from(u32::MAX))?.map_or(0, |n| n as u32))
}

/// `role`: `'server'` (default) or `'client'`.
pub fn role(v: &JsValue) -> Result<Role, JsValue> {
    if is_nullish(v) {
        return Ok(Role::Server);
    }
    match string(v, "role", 16)?.as_str() {
        "server" => Ok(Role::Server),
        "client" => Ok(Role::Client),
        _ => Err(range_error(
            INVALID_ARG_VALUE,
            "The \"role\" option must be 'server' or 'client'",
        )),
    }
}

fn window_bits(v: &JsValue, name: &str) -> Result<Option<u8>, JsValue> {
    if v.as_bool() == Some(true) {
        return Ok(None); // `true`: no preference (the `ws` convention)
    }
    Ok(opt_int(v, name, 8.0, 15.0)?.map(|n| n as u8))
}

/// A 4-byte masking key (the JS wrapper turns numbers, hex strings and arrays into bytes).
pub fn key4(v: &JsValue, name: &str) -> Result<[u8; 4], JsValue> {
    let a = as_u8(v, name).map_err(|_| arg_type(name, "a 4-byte Uint8Array"))?;
    if a.length() != 4 {
        return Err(out_of_range(name, "exactly 4 bytes long"));
    }
    let mut k = [0u8; 4];
    a.copy_to(&mut k);
    Ok(k)
}

/// `perMessageDeflate` for a codec: `false`/absent → none, `true` → defaults, or an object
/// with the engine's `DeflateParams` fields (snake_case, as returned by
/// `negotiatePerMessageDeflate`, or camelCase).
pub fn deflate_params(v: &JsValue) -> Result<Option<DeflateParams>, JsValue> {
    if is_nullish(v) || v.as_bool() == Some(false) {
        return Ok(None);
    }
    if v.as_bool() == Some(true) {
        return Ok(Some(DeflateParams::default()));
    }
    let o = options(v, "perMessageDeflate")?;
    let d = DeflateParams::default();
    Ok(Some(DeflateParams {
        server_no_context_takeover: flag(
            &get_any(
                &o,
                &["server_no_context_takeover", "serverNoContextTakeover"],
            )?,
            "serverNoContextTakeover",
            false,
        )?,
        client_no_context_takeover: flag(
            &get_any(
                &o,
                &["client_no_context_takeover", "clientNoContextTakeover"],
            )?,
            "clientNoContextTakeover",
            false,
        )?,
        server_max_window_bits: window_bits(
            &get_any(&o, &["server_max_window_bits", "serverMaxWindowBits"])?,
            "server_max_window_bits",
        )?
        .unwrap_or(d.server_max_window_bits),
        client_max_window_bits: window_bits(
            &get_any(&o, &["client_max_window_bits", "clientMaxWindowBits"])?,
            "client_max_window_bits",
        )?
        .unwrap_or(d.client_max_window_bits),
    }))
}

/// A permessage-deflate configuration (what to agree to / ask for), camelCase (`ws` option
/// names) or snake_case; `true`/absent → defaults.
pub fn deflate_config(v: &JsValue) -> Result<DeflateConfig, JsValue> {
    let d = DeflateConfig::default();
    if is_nullish(v) || v.as_bool().is_some() {
        return Ok(d);
    }
    let o = options(v, "config")?;
    Ok(DeflateConfig {
        server_no_context_takeover: flag(
            &get_any(
                &o,
                &["serverNoContextTakeover", "server_no_context_takeover"],
            )?,
            "serverNoContextTakeover",
            false,
        )?,
        client_no_context_takeover: flag(
            &get_any(
                &o,
                &["clientNoContextTakeover", "client_no_context_takeover"],
            )?,
            "clientNoContextTakeover",
            false,
        )?,
        server_max_window_bits: window_bits(
            &get_any(&o, &["serverMaxWindowBits", "server_max_window_bits"])?,
            "serverMaxWindowBits",
        )?,
        client_max_window_bits: window_bits(
            &get_any(&o, &["clientMaxWindowBits", "client_max_window_bits"])?,
            "clientMaxWindowBits",
        )?,
        level: opt_int(&get(&o, "level")?, "level", 0.0, 9.0)?.map_or(d.level, |n| n as u32),
    })
}
