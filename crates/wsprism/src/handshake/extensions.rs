//! The `Sec-WebSocket-Extensions` grammar (RFC 6455 §9.1).

use std::fmt;

use super::http::{check_token, is_token, HeaderError};
use super::{HandshakeError, HandshakeErrorKind};

/// One extension from a `Sec-WebSocket-Extensions` header, with its parameters
/// (quoted-string values unquoted).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Extension {
    /// Extension token, e.g. `permessage-deflate`.
    pub name: String,
    /// Parameters in order: name and optional value.
    pub params: Vec<(String, Option<String>)>,
}

/// Writes `exts` as a `Sec-WebSocket-Extensions` value (RFC 6455 §9.1): `name; k; k=v, ...`,
/// or `""` for none. The one formatter every builder and binding uses for caller-given lists.
///
/// Extension names, parameter names and parameter values must be RFC 7230 tokens: RFC 6455 §9.1
/// allows a value to be sent as a quoted-string, but requires the unescaped value to be a token,
/// so quoting never makes a non-token value valid (and a token needs no quotes). Anything else
/// (a space, a comma, a quote, CR, LF, NUL, an empty string) is refused with
/// [`HeaderError::Token`] naming the part, rather than written into a head.
///
/// ```
/// use wsprism::handshake::{format_extensions, Extension};
/// let e = Extension {
///     name: "permessage-deflate".into(),
///     params: vec![("client_max_window_bits".into(), None), ("server_max_window_bits".into(), Some("10".into()))],
/// };
/// assert_eq!(format_extensions(&[e]).unwrap(), "permessage-deflate; client_max_window_bits; server_max_window_bits=10");
/// ```
pub fn format_extensions(exts: &[Extension]) -> Result<String, HeaderError> {
    let mut out = String::new();
    for (i, e) in exts.iter().enumerate() {
        check_token("extension name", &e.name)?;
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&e.name);
        for (k, v) in &e.params {
            check_token("extension parameter name", k)?;
            out.push_str("; ");
            out.push_str(k);
            if let Some(v) = v {
                check_token(&format!("extension parameter {k} value"), v)?;
                out.push('=');
                out.push_str(v);
            }
        }
    }
    Ok(out)
}

/// Writes the extension as `name; k; k=v` without checking it; [`format_extensions`] checks.
impl fmt::Display for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        for (k, v) in &self.params {
            match v {
                Some(v) => write!(f, "; {k}={v}")?,
                None => write!(f, "; {k}")?,
            }
        }
        Ok(())
    }
}

/// Parses a `Sec-WebSocket-Extensions` value (RFC 6455 §9.1): a comma list of
/// `name *( ";" param [ "=" (token | quoted-string) ] )`. Quoted values may contain `,` and `;`.
pub fn parse_extensions(value: &str) -> Result<Vec<Extension>, HandshakeError> {
    let err = || HandshakeError::bad(HandshakeErrorKind::HeaderValue("Sec-WebSocket-Extensions"));
    // Tokenise into elements separated by ',' and ';' outside quotes.
    let mut exts = Vec::new();
    let mut current: Option<Extension> = None;
    let mut chars = value.char_indices().peekable();
    let mut item = String::new();
    let mut quoted_val: Option<String> = None;
    let mut in_quotes = false;
    let flush = |item: &mut String,
                 quoted: &mut Option<String>,
                 current: &mut Option<Extension>,
                 end_ext: bool,
                 exts: &mut Vec<Extension>|
     -> Result<(), HandshakeError> {
        let text = item.trim().to_string();
        item.clear();
        match current {
            None => {
                if !is_token(&text) {
                    return Err(err());
                }
                *current = Some(Extension {
                    name: text,
                    params: Vec::new(),
                });
            }
            Some(ext) => {
                let (k, v) = match (text.split_once('='), quoted.take()) {
                    (Some((k, _)), Some(q)) => (k.trim().to_string(), Some(q)),
                    (Some((k, v)), None) => {
                        let v = v.trim();
                        if !is_token(v) {
                            return Err(err());
                        }
                        (k.trim().to_string(), Some(v.to_string()))
                    }
                    (None, _) => (text, None),
                };
                if !is_token(&k) {
                    return Err(err());
                }
                ext.params.push((k, v));
            }
        }
        if end_ext {
            if let Some(e) = current.take() {
                exts.push(e);
            }
        }
        Ok(())
    };
    while let Some((_, c)) = chars.next() {
        if in_quotes {
            match c {
                '"' => in_quotes = false,
                '\\' => match chars.next() {
                    Some((_, e)) => quoted_val.get_or_insert_with(String::new).push(e),
                    None => return Err(err()),
                },
                _ => quoted_val.get_or_insert_with(String::new).push(c),
            }
            continue;
        }
        match c {
            '"' => {
                // Only allowed directly after `name=`.
                if !item.trim_end().ends_with('=') || quoted_val.is_some() {
                    return Err(err());
                }
                in_quotes = true;
                quoted_val = Some(String::new());
            }
            ';' => flush(&mut item, &mut quoted_val, &mut current, false, &mut exts)?,
            ',' => {
                if item.trim().is_empty() && current.is_none() {
                    continue; // empty list element
                }
                flush(&mut item, &mut quoted_val, &mut current, true, &mut exts)?
            }
            _ => {
                if quoted_val.is_some() && !c.is_whitespace() {
                    return Err(err()); // text after a closing quote
                }
                item.push(c)
            }
        }
    }
    if in_quotes {
        return Err(err());
    }
    if !item.trim().is_empty() || current.is_some() {
        flush(&mut item, &mut quoted_val, &mut current, true, &mut exts)?;
    }
    // A quoted value must itself be a token once unquoted (RFC 6455 §9.1).
    for e in &exts {
        for (_, v) in &e.params {
            if let Some(v) = v {
                if !is_token(v) {
                    return Err(err());
                }
            }
        }
    }
    Ok(exts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(name: &str, params: &[(&str, Option<&str>)]) -> Extension {
        Extension {
            name: name.into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
                .collect(),
        }
    }

    #[test]
    fn formats_byte_for_byte() {
        assert_eq!(format_extensions(&[]).unwrap(), "");
        let list = [
            ext(
                "permessage-deflate",
                &[
                    ("client_max_window_bits", None),
                    ("server_max_window_bits", Some("10")),
                ],
            ),
            ext("x-foo", &[]),
            ext("x-bar", &[("a", Some("!#$%&'*+-.^_`|~09AZaz"))]),
        ];
        let s = format_extensions(&list).unwrap();
        assert_eq!(
            s.as_bytes(),
            b"permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-foo, x-bar; a=!#$%&'*+-.^_`|~09AZaz"
        );
        // What is written parses back to the same list.
        assert_eq!(parse_extensions(&s).unwrap(), list);
    }

    #[test]
    fn refuses_what_is_not_a_token() {
        let cases: [(Extension, &str); 9] = [
            (ext("", &[]), "extension name"),
            (ext("a b", &[]), "extension name"),
            (ext("x\r\nSet-Cookie: a", &[]), "extension name"),
            (ext("x", &[("", None)]), "extension parameter name"),
            (ext("x", &[("a=b", None)]), "extension parameter name"),
            (
                ext("x", &[("k", Some("a b"))]),
                "extension parameter k value",
            ),
            (
                ext("x", &[("k", Some("\"q\""))]),
                "extension parameter k value",
            ),
            (
                ext("x", &[("k", Some("1\r\nX: y"))]),
                "extension parameter k value",
            ),
            (ext("x", &[("k", Some(""))]), "extension parameter k value"),
        ];
        for (e, what) in cases {
            match format_extensions(&[ext("ok", &[]), e.clone()]) {
                Err(err @ HeaderError::Token { .. }) => {
                    assert_eq!(err.code(), "ERR_INVALID_HTTP_TOKEN");
                    assert!(err.to_string().starts_with(what), "{e:?}: {err}");
                }
                other => panic!("{e:?}: {other:?}"),
            }
        }
        // NUL and a comma or semicolon inside a value are not tokens either.
        for v in ["a\0b", "a,b", "a;b", "\u{e9}"] {
            assert!(
                format_extensions(&[ext("x", &[("k", Some(v))])]).is_err(),
                "{v:?}"
            );
        }
    }
}
