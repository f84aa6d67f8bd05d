//! The `Sec-WebSocket-Extensions` grammar (RFC 6455 §9.1).

use std::fmt;

use super::http::is_token;
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
