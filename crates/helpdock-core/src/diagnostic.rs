//! Problems found in what a host wrote by hand (the configuration, the
//! channels, `identify()`), and the [`Reader`] that collects them.
//!
//! Reading such input never fails: a missing field takes its default, and
//! a field that is present but wrong is replaced by its default *and*
//! reported as a [`Diagnostic`] naming the field (`theme.brandColor`), what
//! was expected and what was used instead. Unknown fields are reported as
//! warnings, with a suggestion when they look like a typo of a known one.

use std::fmt;

use serde_json::{Map, Value};

use crate::text::bounded_edit_distance;

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// A value was rejected and a default used instead.
    Error,
    /// Something was ignored (an unknown field) but nothing changed.
    Warning,
}

/// One problem found in the host's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The field's path, e.g. `theme.brandColor`.
    pub field: String,
    /// Whether a value was replaced or merely ignored.
    pub severity: Severity,
    /// What was wrong and what the widget did instead.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Helpdock config: `{}` {}", self.field, self.message)
    }
}

/// The longest text field a host may set, in characters.
pub(crate) const MAX_TEXT_LEN: usize = 200;

pub(crate) fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("{b}"),
        // serde_json's own formatting (ryu) keeps core::fmt's float code out of the wasm.
        Value::Number(_) => format!("the number {}", serde_json::to_string(value).unwrap_or_default()),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// Collects diagnostics while reading fields of one kind or another.
pub(crate) struct Reader {
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Reader {
    pub(crate) fn new() -> Self {
        Reader { diagnostics: Vec::new() }
    }

    pub(crate) fn error(&mut self, field: &str, message: &str) {
        self.diagnostics.push(Diagnostic {
            field: field.to_owned(),
            severity: Severity::Error,
            message: message.to_owned(),
        });
    }

    pub(crate) fn warning(&mut self, field: &str, message: &str) {
        self.diagnostics.push(Diagnostic {
            field: field.to_owned(),
            severity: Severity::Warning,
            message: message.to_owned(),
        });
    }

    pub(crate) fn object<'v>(&mut self, value: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        let map = value.as_object();
        if map.is_none() {
            self.error(path, &format!("expected an object, got {}; using the defaults", describe(value)));
        }
        map
    }

    pub(crate) fn unknown_fields(&mut self, map: &Map<String, Value>, path: &str, known: &[&str]) {
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            let hint = known
                .iter()
                .filter_map(|k| {
                    bounded_edit_distance(&k.to_ascii_lowercase(), &key.to_ascii_lowercase(), 2).map(|d| (d, k))
                })
                .min_by_key(|(d, _)| *d)
                .map(|(_, k)| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            self.diagnostics.push(Diagnostic {
                field: join(path, key),
                severity: Severity::Warning,
                message: format!("is not a known field and was ignored{hint}"),
            });
        }
    }

    /// A trimmed, non-empty string of bounded length; `None` when absent.
    pub(crate) fn text(&mut self, value: Option<&Value>, field: &str) -> Option<String> {
        match value? {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) if s.chars().count() <= MAX_TEXT_LEN => Some(s.trim().to_owned()),
            Value::String(_) => {
                self.error(field, &format!("is longer than {MAX_TEXT_LEN} characters; ignoring it"));
                None
            }
            other => {
                self.error(field, &format!("expected a string, got {}; ignoring it", describe(other)));
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, value: Option<&Value>, field: &str) -> Option<bool> {
        match value? {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            other => {
                self.error(field, &format!("expected true or false, got {}; ignoring it", describe(other)));
                None
            }
        }
    }

    pub(crate) fn integer(&mut self, value: Option<&Value>, field: &str, min: i64, max: i64) -> Option<i64> {
        match value? {
            Value::Null => None,
            Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f >= min as f64 && f <= max as f64) => {
                n.as_f64().map(|f| f as i64)
            }
            other => {
                self.error(
                    field,
                    &format!("expected a whole number from {min} to {max}, got {}; using the default", describe(other)),
                );
                None
            }
        }
    }

    pub(crate) fn keyword<T: Copy>(&mut self, value: Option<&Value>, field: &str, choices: &[(&str, T)]) -> Option<T> {
        let text = self.text(value, field)?;
        let found = choices.iter().find(|(k, _)| k.eq_ignore_ascii_case(&text)).map(|(_, v)| *v);
        if found.is_none() {
            let names: Vec<String> = choices.iter().map(|(k, _)| format!("{k:?}")).collect();
            self.error(field, &format!("expected one of {}, got {text:?}; using {:?}", names.join(", "), choices[0].0));
        }
        found
    }
}
