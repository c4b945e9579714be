//! Small lexical helpers shared by the SIP header parsers: splitting lists at
//! top-level commas, parameters at top-level semicolons, and unquoting.
//!
//! "Top level" means outside double quotes (with backslash escapes) and outside
//! `<...>` angle brackets, which is what RFC 3261's grammar needs for Via,
//! Contact, Route and the like.

/// A `name[=value]` parameter as it appears after `;` in SIP headers and URIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Parameter name as written (compare case-insensitively).
    pub name: String,
    /// Raw value (quotes kept, so it can be printed back unchanged).
    pub value: Option<String>,
}

impl Param {
    /// A parameter with a value.
    pub fn new(name: &str, value: Option<&str>) -> Self {
        Param {
            name: name.to_string(),
            value: value.map(str::to_string),
        }
    }

    /// The value with surrounding quotes and escapes removed.
    pub fn unquoted_value(&self) -> Option<String> {
        self.value.as_deref().map(unquote)
    }
}

impl std::fmt::Display for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Some(v) => write!(f, "{}={}", self.name, v),
            None => write!(f, "{}", self.name),
        }
    }
}

/// Splits `input` at every top-level occurrence of `sep`.
pub fn split_top_level(input: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut in_quotes = false;
    let mut escaped = false;
    let mut angle_depth = 0u32;
    let mut start = 0;
    for (i, c) in input.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '<' if !in_quotes => angle_depth += 1,
            '>' if !in_quotes => angle_depth = angle_depth.saturating_sub(1),
            c if c == sep && !in_quotes && angle_depth == 0 => {
                parts.push(&input[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&input[start..]);
    parts
}

/// Splits a comma-separated header value into its non-empty, trimmed elements.
pub fn split_list(value: &str) -> Vec<&str> {
    split_top_level(value, ',')
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Parses `;a=1;b;c="x;y"` style parameters (the leading `;` optional).
pub fn parse_params(input: &str) -> Vec<Param> {
    split_top_level(input, ';')
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| match item.split_once('=') {
            Some((n, v)) => Param::new(n.trim(), Some(v.trim())),
            None => Param::new(item, None),
        })
        .collect()
}

/// Finds a parameter by case-insensitive name.
pub fn find_param<'a>(params: &'a [Param], name: &str) -> Option<&'a Param> {
    params.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// Removes surrounding double quotes and backslash escapes, if quoted.
pub fn unquote(value: &str) -> String {
    let v = value.trim();
    let inner = match v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) if v.len() >= 2 => inner,
        _ => return v.to_string(),
    };
    let mut out = String::with_capacity(inner.len());
    let mut escaped = false;
    for c in inner.chars() {
        if escaped {
            out.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    out
}

/// Quotes a string for use as a SIP quoted-string.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        if c != '\r' && c != '\n' {
            out.push(c);
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_respecting_quotes_and_angles() {
        let v = r#""A, B" <sip:a@b;x=1,2>;tag=1, <sip:c@d>"#;
        let parts = split_list(v);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], "<sip:c@d>");
    }

    #[test]
    fn params_with_quoted_semicolons() {
        let p = parse_params(r#";a=1;b; c="x;y" "#);
        assert_eq!(p.len(), 3);
        assert_eq!(p[1], Param::new("b", None));
        assert_eq!(p[2].unquoted_value().as_deref(), Some("x;y"));
    }

    #[test]
    fn unquote_and_quote_round_trip() {
        let original = r#"He said "hi" \o/"#;
        assert_eq!(unquote(&quote(original)), original);
        assert_eq!(unquote("\""), "\"");
        assert_eq!(unquote("plain"), "plain");
    }
}
