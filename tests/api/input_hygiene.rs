//! Input hygiene, swept over the served schema: every String or ID argument and input field of every root field (found
//! by introspection, not listed by hand) refuses U+0000 with `BAD_USER_INPUT` naming the field, never an internal error
//! (PostgreSQL cannot store NUL). Other C0 controls are refused too; tab, CR and LF are text.

use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use crate::common::{self, TestHub};

/// Root fields with a String/ID argument somewhere; the sweep must reach at least this many (36 today).
const MIN_FIELDS: usize = 30;

const INTROSPECTION: &str = r#"{ __schema { queryType { name } mutationType { name } types {
  kind name enumValues { name }
  fields { name type { ...T } args { name defaultValue type { ...T } } }
  inputFields { name defaultValue type { ...T } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }"#;

/// Every scope the hub knows: the fixed ones and `upstream:<name>:read|identifiers` of each national database.
fn all_scopes() -> String {
    use lgsp_hub::auth::scope::*;
    let mut scopes = vec![
        CATALOG_READ.to_owned(),
        SYSTEMS_WRITE.to_owned(),
        SYSTEMS_APPROVE.to_owned(),
        REGISTRY_ADMIN.to_owned(),
        AUDIT_READ.to_owned(),
    ];
    for service in lgsp_hub::upstream::SERVICES {
        scopes.push(format!("upstream:{}:read", service.name));
        scopes.push(format!("upstream:{}:identifiers", service.name));
    }
    scopes.join(" ")
}

/// A type reference of the introspection answer.
#[derive(Debug, Clone)]
enum TypeRef {
    NonNull(Box<TypeRef>),
    List(Box<TypeRef>),
    Named(String),
}

impl TypeRef {
    fn parse(v: &Value) -> TypeRef {
        match v["kind"].as_str() {
            Some("NON_NULL") => TypeRef::NonNull(Box::new(TypeRef::parse(&v["ofType"]))),
            Some("LIST") => TypeRef::List(Box::new(TypeRef::parse(&v["ofType"]))),
            _ => TypeRef::Named(v["name"].as_str().unwrap_or_default().to_owned()),
        }
    }

    fn sdl(&self) -> String {
        match self {
            TypeRef::NonNull(t) => format!("{}!", t.sdl()),
            TypeRef::List(t) => format!("[{}]", t.sdl()),
            TypeRef::Named(n) => n.clone(),
        }
    }

    fn named(&self) -> &str {
        match self {
            TypeRef::NonNull(t) | TypeRef::List(t) => t.named(),
            TypeRef::Named(n) => n,
        }
    }

    /// Required: non-null and without a default.
    fn required(&self, default: &Value) -> bool {
        matches!(self, TypeRef::NonNull(_)) && default.is_null()
    }
}

/// One step of the path from an argument to a string position: an input field, or a list's element.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Field(String),
    Item,
}

struct Schema {
    types: HashMap<String, Value>,
}

impl Schema {
    fn kind(&self, name: &str) -> &str {
        self.types[name]["kind"].as_str().unwrap_or_default()
    }

    fn input_fields(&self, name: &str) -> Vec<(String, TypeRef, Value)> {
        let fields = self.types[name]["inputFields"].as_array().cloned();
        fields
            .unwrap_or_default()
            .iter()
            .map(|f| {
                let name = f["name"].as_str().unwrap_or_default().to_owned();
                (name, TypeRef::parse(&f["type"]), f["defaultValue"].clone())
            })
            .collect()
    }

    /// Every path below `ty` that ends at a String or ID (input objects recursively, lists by their element).
    fn string_slots(&self, ty: &TypeRef, path: Vec<Seg>, depth: usize, out: &mut Vec<Vec<Seg>>) {
        match ty {
            TypeRef::NonNull(t) => self.string_slots(t, path, depth, out),
            TypeRef::List(t) => {
                let mut path = path;
                path.push(Seg::Item);
                self.string_slots(t, path, depth, out)
            }
            TypeRef::Named(n) if n == "String" || n == "ID" => out.push(path),
            TypeRef::Named(n) if self.kind(n) == "INPUT_OBJECT" && depth < 4 => {
                for (field, field_ty, _) in self.input_fields(n) {
                    let mut path = path.clone();
                    path.push(Seg::Field(field));
                    self.string_slots(&field_ty, path, depth + 1, out);
                }
            }
            TypeRef::Named(_) => {}
        }
    }

    /// A plausible value of `ty`, with `bad` at `slot` (relative to `ty`) when given.
    fn value(&self, ty: &TypeRef, slot: Option<&[Seg]>, bad: &str) -> Value {
        match ty {
            TypeRef::NonNull(t) => self.value(t, slot, bad),
            TypeRef::List(t) => {
                let inner = match slot {
                    Some([Seg::Item, rest @ ..]) => Some(rest),
                    _ => None,
                };
                json!([self.value(t, inner, bad)])
            }
            TypeRef::Named(n) => match (n.as_str(), slot) {
                ("String" | "ID", Some([])) => json!(bad),
                ("String" | "ID", _) => json!("x"),
                ("Int", _) => json!(1),
                ("Float", _) => json!(1.0),
                ("Boolean", _) => json!(true),
                _ if self.kind(n) == "ENUM" => self.types[n]["enumValues"][0]["name"].clone(),
                _ => {
                    let mut object = Map::new();
                    for (field, field_ty, default) in self.input_fields(n) {
                        let inner = match slot {
                            Some([Seg::Field(f), rest @ ..]) if *f == field => Some(rest),
                            _ => None,
                        };
                        if inner.is_some() || field_ty.required(&default) {
                            object.insert(field, self.value(&field_ty, inner, bad));
                        }
                    }
                    Value::Object(object)
                }
            },
        }
    }

    /// `v` (of type `ty`) as a GraphQL literal: enums bare, strings JSON-escaped (`\u0000` is a GraphQL escape too).
    fn literal(&self, ty: &TypeRef, v: &Value) -> String {
        match (ty, v) {
            (TypeRef::NonNull(t), _) => self.literal(t, v),
            (TypeRef::List(t), Value::Array(items)) => {
                let items: Vec<String> = items.iter().map(|i| self.literal(t, i)).collect();
                format!("[{}]", items.join(", "))
            }
            (TypeRef::Named(n), Value::String(s)) if self.kind(n) == "ENUM" => s.clone(),
            (TypeRef::Named(n), Value::Object(fields)) => {
                let fields: Vec<String> = self
                    .input_fields(n)
                    .iter()
                    .filter_map(|(f, fty, _)| {
                        fields
                            .get(f)
                            .map(|fv| format!("{f}: {}", self.literal(fty, fv)))
                    })
                    .collect();
                format!("{{ {} }}", fields.join(", "))
            }
            _ => v.to_string(),
        }
    }
}

/// One request of the sweep: a root field with a bad string at one position of its arguments.
struct Probe {
    label: String,
    /// The name the error's `extensions.field` must mention: the innermost named step of the position.
    leaf: String,
    variables_document: String,
    variables: Value,
    literal_document: String,
}

fn probes(schema: &Schema, root: &str, operation: &str, bad: &str) -> Vec<Probe> {
    let mut out = Vec::new();
    let fields = schema.types[root]["fields"].as_array().cloned();
    for field in fields.unwrap_or_default() {
        let name = field["name"].as_str().unwrap_or_default();
        let args: Vec<(String, TypeRef, Value)> = field["args"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|a| {
                let arg = a["name"].as_str().unwrap_or_default().to_owned();
                (arg, TypeRef::parse(&a["type"]), a["defaultValue"].clone())
            })
            .collect();
        let selection = match schema.kind(TypeRef::parse(&field["type"]).named()) {
            "OBJECT" | "INTERFACE" | "UNION" => " { __typename }",
            _ => "",
        };
        for (arg, ty, _) in &args {
            let mut slots = Vec::new();
            schema.string_slots(ty, Vec::new(), 0, &mut slots);
            for slot in slots {
                let (mut declared, mut passed, mut literals) = (vec![], vec![], vec![]);
                let mut variables = Map::new();
                for (other, other_ty, default) in &args {
                    let at = (other == arg).then_some(slot.as_slice());
                    if at.is_none() && !other_ty.required(default) {
                        continue;
                    }
                    let v = schema.value(other_ty, at, bad);
                    declared.push(format!("${other}: {}", other_ty.sdl()));
                    passed.push(format!("{other}: ${other}"));
                    literals.push(format!("{other}: {}", schema.literal(other_ty, &v)));
                    variables.insert(other.clone(), v);
                }
                let leaf = slot
                    .iter()
                    .rev()
                    .find_map(|s| match s {
                        Seg::Field(f) => Some(f.clone()),
                        Seg::Item => None,
                    })
                    .unwrap_or_else(|| arg.clone());
                let path: Vec<String> = std::iter::once(arg.clone())
                    .chain(slot.iter().map(|s| match s {
                        Seg::Field(f) => f.clone(),
                        Seg::Item => "[]".into(),
                    }))
                    .collect();
                out.push(Probe {
                    label: format!("{root}.{name}({})", path.join(".")),
                    leaf,
                    variables_document: format!(
                        "{operation}({}) {{ {name}({}){selection} }}",
                        declared.join(", "),
                        passed.join(", ")
                    ),
                    variables: Value::Object(variables),
                    literal_document: format!(
                        "{operation} {{ {name}({}){selection} }}",
                        literals.join(", ")
                    ),
                });
            }
        }
    }
    out
}

/// Why `body` is not a refusal of the bad string at `leaf`, if it is not.
fn refusal_problem(body: &Value, leaf: &str) -> Option<String> {
    let Some(errors) = body["errors"].as_array() else {
        return Some(format!("accepted: {body}"));
    };
    let code = |e: &Value| {
        e["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    if errors.iter().any(|e| code(e) == "INTERNAL_SERVER_ERROR") {
        return Some(format!("internal error: {body}"));
    }
    let named = errors.iter().any(|e| {
        let field = e["extensions"]["field"].as_str().unwrap_or_default();
        code(e) == "BAD_USER_INPUT" && !field.is_empty() && field.contains(leaf)
    });
    (!named).then(|| format!("no BAD_USER_INPUT naming `{leaf}`: {body}"))
}

async fn schema(hub: &TestHub, token: &str) -> (Schema, Vec<(String, &'static str)>) {
    let (status, body) = hub.post_as(token, INTROSPECTION, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let s = &body["data"]["__schema"];
    let types = s["types"].as_array().expect("types");
    let types = types
        .iter()
        .map(|t| (t["name"].as_str().unwrap_or_default().to_owned(), t.clone()))
        .collect();
    let mut roots = vec![(
        s["queryType"]["name"].as_str().expect("query").to_owned(),
        "query",
    )];
    if let Some(m) = s["mutationType"]["name"].as_str() {
        roots.push((m.to_owned(), "mutation"));
    }
    (Schema { types }, roots)
}

#[tokio::test]
async fn every_string_argument_refuses_nul() {
    let hub = TestHub::start().await;
    let token = common::token("000.00.00.H48", &all_scopes());
    let (schema, roots) = schema(&hub, &token).await;
    let bad = "ab\u{0}cd";
    let (mut fields, mut sent, mut problems) = (BTreeSet::new(), 0, Vec::new());
    for (root, operation) in &roots {
        for probe in probes(&schema, root, operation, bad) {
            fields.insert(probe.label.split('(').next().unwrap_or_default().to_owned());
            let (_, body) = hub
                .post_as(&token, &probe.variables_document, probe.variables.clone())
                .await;
            let (_, literal) = hub
                .post_as(&token, &probe.literal_document, json!({}))
                .await;
            sent += 2;
            for (how, body) in [("variable", body), ("literal", literal)] {
                if let Some(problem) = refusal_problem(&body, &probe.leaf) {
                    problems.push(format!("{} [{how}]: {problem}", probe.label));
                }
            }
        }
    }
    println!(
        "input hygiene: {} root fields, {sent} requests",
        fields.len()
    );
    assert!(
        fields.len() >= MIN_FIELDS,
        "the sweep reached only {} root fields: {fields:?}",
        fields.len()
    );
    assert!(
        problems.is_empty(),
        "{} of {sent} requests were not refused as they should be:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

const SEARCH: &str = "query($t: String!) { search(text: $t) { __typename } }";

#[tokio::test]
async fn other_c0_controls_are_refused() {
    let hub = TestHub::shared().await;
    let token = common::token("000.00.00.H48", &all_scopes());
    let (_, body) = hub
        .post_as(&token, SEARCH, json!({ "t": "Hà\u{1}Tĩnh" }))
        .await;
    if let Some(problem) = refusal_problem(&body, "text") {
        panic!("U+0001: {problem}");
    }
}

#[tokio::test]
async fn tab_cr_and_lf_are_text() {
    let hub = TestHub::shared().await;
    let token = common::token("000.00.00.H48", &all_scopes());
    let (status, body) = hub
        .post_as(&token, SEARCH, json!({ "t": "Hà\tTĩnh\r\nSở" }))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "tab/CR/LF refused: {body}");
    assert!(body["data"]["search"].is_array(), "{body}");
}
