//! The protocol's JSON Schemas (`docs/protocol/*.json`, compiled in) and a
//! validator for the part of JSON Schema 2020-12 they use: `type`,
//! `properties`, `required`, `items`, `$ref` into `$defs`, `oneOf`,
//! `anyOf`, `const`, `enum`, `minimum`, `maximum` and the integer
//! `format`s. Unknown fields are allowed, as the protocol says.
//!
//! A keyword the validator does not know is an error of the schema, not a
//! pass: a schema that grows a keyword fails the suite's own tests until the
//! validator learns it.

use serde_json::Value;

/// The schemas by file stem, as the build found them.
const SCHEMAS: &[(&str, &str)] = &[
    ("attachment", include_str!("../../../docs/protocol/attachment.json")),
    ("client-frame", include_str!("../../../docs/protocol/client-frame.json")),
    ("conversation-detail", include_str!("../../../docs/protocol/conversation-detail.json")),
    ("conversation-summary", include_str!("../../../docs/protocol/conversation-summary.json")),
    ("error", include_str!("../../../docs/protocol/error.json")),
    ("server-frame", include_str!("../../../docs/protocol/server-frame.json")),
    ("session", include_str!("../../../docs/protocol/session.json")),
    ("ticket-detail", include_str!("../../../docs/protocol/ticket-detail.json")),
    ("ticket-summary", include_str!("../../../docs/protocol/ticket-summary.json")),
];

/// Keywords that only annotate.
const ANNOTATIONS: &[&str] = &["$schema", "title", "description", "default", "examples", "$defs", "deprecated"];

/// The compiled-in schemas.
#[derive(Debug)]
pub struct Schemas {
    documents: Vec<(&'static str, Value)>,
}

impl Default for Schemas {
    fn default() -> Self {
        Schemas::new()
    }
}

impl Schemas {
    /// Parses the compiled-in schemas.
    pub fn new() -> Schemas {
        let documents = SCHEMAS
            .iter()
            .map(|(name, text)| (*name, serde_json::from_str(text).expect("docs/protocol schemas are JSON")))
            .collect();
        Schemas { documents }
    }

    fn document(&self, name: &str) -> &Value {
        &self.documents.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no schema named {name}")).1
    }

    /// Checks `value` against the schema `name` (a file stem, e.g.
    /// `session`), or against one of its `$defs` with `name#Def` (e.g.
    /// `server-frame#TicketReply`). The error says where and why.
    pub fn check(&self, name: &str, value: &Value) -> Result<(), String> {
        let (file, def) = match name.split_once('#') {
            Some((file, def)) => (file, Some(def)),
            None => (name, None),
        };
        let root = self.document(file);
        let schema = match def {
            Some(def) => root["$defs"].get(def).unwrap_or_else(|| panic!("no $defs/{def} in {file}")),
            None => root,
        };
        Validator { root }.check(schema, value, "$").map_err(|e| format!("does not match {name}.json: {e}"))
    }
}

struct Validator<'a> {
    root: &'a Value,
}

impl Validator<'_> {
    fn check(&self, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
        let Some(schema) = schema.as_object() else {
            return match schema {
                Value::Bool(true) => Ok(()),
                _ => Err(format!("{at}: no value is allowed here")),
            };
        };
        for (keyword, rule) in schema {
            match keyword.as_str() {
                "type" => self.check_type(rule, value, at)?,
                "properties" => {
                    if let Some(object) = value.as_object() {
                        for (name, property) in rule.as_object().into_iter().flatten() {
                            if let Some(v) = object.get(name) {
                                self.check(property, v, &format!("{at}.{name}"))?;
                            }
                        }
                    }
                }
                "required" => {
                    if let Some(object) = value.as_object() {
                        for name in rule.as_array().into_iter().flatten().filter_map(Value::as_str) {
                            if !object.contains_key(name) {
                                return Err(format!("{at}: `{name}` is required"));
                            }
                        }
                    }
                }
                "items" => {
                    if let Some(items) = value.as_array() {
                        for (i, item) in items.iter().enumerate() {
                            self.check(rule, item, &format!("{at}[{i}]"))?;
                        }
                    }
                }
                "$ref" => {
                    let target = rule
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/$defs/"))
                        .and_then(|d| self.root["$defs"].get(d))
                        .ok_or_else(|| format!("{at}: schema has an unresolvable $ref {rule}"))?;
                    self.check(target, value, at)?;
                }
                "oneOf" => {
                    let branches = rule.as_array().map(Vec::as_slice).unwrap_or_default();
                    let mut errors = Vec::new();
                    let mut matched = 0;
                    for branch in branches {
                        match self.check(branch, value, at) {
                            Ok(()) => matched += 1,
                            Err(e) => errors.push((self.tagged(branch, value), e)),
                        }
                    }
                    if matched != 1 {
                        return Err(if matched == 0 {
                            closest(errors, at)
                        } else {
                            format!("{at}: matches {matched} variants where exactly one must")
                        });
                    }
                }
                "anyOf" => {
                    let branches = rule.as_array().map(Vec::as_slice).unwrap_or_default();
                    let mut errors = Vec::new();
                    if !branches
                        .iter()
                        .any(|b| self.check(b, value, at).map_err(|e| errors.push((self.tagged(b, value), e))).is_ok())
                    {
                        return Err(closest(errors, at));
                    }
                }
                "const" => {
                    if value != rule {
                        return Err(format!("{at}: must be {rule}, is {value}"));
                    }
                }
                "enum" => {
                    if !rule.as_array().is_some_and(|options| options.contains(value)) {
                        return Err(format!("{at}: {value} is not one of {rule}"));
                    }
                }
                "minimum" => {
                    if let (Some(v), Some(min)) = (value.as_f64(), rule.as_f64()) {
                        if v < min {
                            return Err(format!("{at}: {v} is below the minimum {min}"));
                        }
                    }
                }
                "maximum" => {
                    if let (Some(v), Some(max)) = (value.as_f64(), rule.as_f64()) {
                        if v > max {
                            return Err(format!("{at}: {v} is above the maximum {max}"));
                        }
                    }
                }
                "format" => check_format(rule.as_str().unwrap_or_default(), value, at)?,
                k if ANNOTATIONS.contains(&k) => {}
                other => return Err(format!("{at}: the schema uses `{other}`, which this validator does not know")),
            }
        }
        Ok(())
    }

    /// Whether `value` has every constant property of `branch` (a tagged
    /// variant's `type`), so that branch is the variant it means.
    fn tagged(&self, branch: &Value, value: &Value) -> bool {
        let branch = match branch.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
            Some(def) => &self.root["$defs"][def],
            None => branch,
        };
        let constants: Vec<(&String, &Value)> = branch["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(name, p)| p.get("const").map(|c| (name, c)))
            .collect();
        !constants.is_empty() && constants.iter().all(|(name, c)| value.get(name.as_str()) == Some(*c))
    }

    fn check_type(&self, rule: &Value, value: &Value, at: &str) -> Result<(), String> {
        let allowed: Vec<&str> = match rule {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return Err(format!("{at}: schema has a malformed type {rule}")),
        };
        let ok = allowed.iter().any(|t| match *t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.is_i64() || value.is_u64(),
            _ => false,
        });
        if ok {
            Ok(())
        } else {
            Err(format!("{at}: expected {}, found {}", allowed.join(" or "), kind(value)))
        }
    }
}

fn check_format(format: &str, value: &Value, at: &str) -> Result<(), String> {
    let Some(number) = value.as_number() else { return Ok(()) };
    let fits = match format {
        "uint8" => number.as_u64().is_some_and(|n| n <= u64::from(u8::MAX)),
        "uint16" => number.as_u64().is_some_and(|n| n <= u64::from(u16::MAX)),
        "uint32" => number.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)),
        "uint64" | "uint" => number.as_u64().is_some(),
        "int32" => number.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        "int64" | "int" => number.as_i64().is_some(),
        "float" | "double" => true,
        other => return Err(format!("{at}: the schema uses format `{other}`, which this validator does not know")),
    };
    if fits {
        Ok(())
    } else {
        Err(format!("{at}: {value} is not a {format}"))
    }
}

/// Of the errors of the branches that failed, the one of the variant the
/// value names (its `type`), else the one that got furthest into the value.
fn closest(errors: Vec<(bool, String)>, at: &str) -> String {
    errors
        .into_iter()
        .max_by_key(|(tagged, e)| (*tagged, e.split(':').next().map_or(0, str::len)))
        .map(|(_, e)| e)
        .unwrap_or_else(|| format!("{at}: matches no variant"))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_schema_uses_only_keywords_the_validator_knows() {
        let schemas = Schemas::new();
        // A value of the wrong kind walks every branch of every schema; an
        // unknown keyword would say so instead of "expected …".
        for (name, _) in SCHEMAS {
            let e = schemas.check(name, &json!(12345)).unwrap_err();
            assert!(!e.contains("does not know"), "{name}: {e}");
        }
    }

    #[test]
    fn frames_are_checked_by_their_variant() {
        let s = Schemas::new();
        let ack = json!({"type": "ack", "conversation": "c1", "clientId": "m1", "seq": 3, "at": 1_763_971_200_000_u64});
        assert_eq!(s.check("server-frame", &ack), Ok(()));
        let mut extra = ack.clone();
        extra["fromTheFuture"] = json!(true);
        assert_eq!(s.check("server-frame", &extra), Ok(()), "unknown fields are allowed");

        let mut no_seq = ack.clone();
        no_seq.as_object_mut().unwrap().remove("seq");
        let e = s.check("server-frame", &no_seq).unwrap_err();
        assert!(e.contains("`seq` is required"), "{e}");

        let mut negative = ack.clone();
        negative["seq"] = json!(-1);
        assert!(s.check("server-frame", &negative).is_err());

        let wrong_author = json!({"type": "typing", "conversation": "c1", "author": "robot", "typing": true});
        assert!(s.check("server-frame", &wrong_author).is_err());
    }

    #[test]
    fn definitions_and_nullable_fields() {
        let s = Schemas::new();
        let error = json!({"error": {"code": "too_large", "message": "A message can have at most 4000 characters.", "field": "body"}});
        assert_eq!(s.check("error", &error), Ok(()));
        let bad_code = json!({"error": {"code": "teapot", "message": "no"}});
        assert!(s.check("error", &bad_code).is_err());
        let reply =
            json!({"ticket": "t1", "seq": 2, "author": {"kind": "agent", "name": "Mei"}, "body": "Hi", "at": 1});
        assert_eq!(s.check("server-frame#TicketReply", &reply), Ok(()));
        let session = json!({"visitorId": "v", "visitorToken": "t", "identified": false, "availability": null,
            "limits": {"maxMessageChars": 4000, "maxAttachmentBytes": 10, "attachmentTypes": ["image/png"]}});
        assert_eq!(s.check("session", &session), Ok(()));
        let mut no_limits = session.clone();
        no_limits.as_object_mut().unwrap().remove("limits");
        assert!(s.check("session", &no_limits).unwrap_err().contains("`limits` is required"));
    }
}
