//! Input hygiene at the boundary: every string a request carries (argument literals in the document, directive
//! arguments, variable values and defaults) is refused when it holds a C0 control character other than tab, CR and
//! LF, or is longer than the configured bound. PostgreSQL refuses U+0000 outright and SQLite stores it, so checking
//! here gives both databases the same answer, before any resolver runs.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use std::convert::Infallible;

use async_graphql::{Positioned, Variables};
use async_graphql_value::{ConstValue, Name, Value};

/// A string that may not enter the hub; `field` is its path (`search.text`, `$input.name`).
#[derive(Debug, PartialEq, Eq)]
pub struct BadString {
    pub field: String,
    pub message: String,
}

/// Why `s` may not enter, if it may not.
pub fn check_str(s: &str, max_chars: usize) -> Option<String> {
    if let Some(c) = s
        .chars()
        .find(|c| c.is_control() && (*c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Some(format!(
            "must not contain the control character U+{:04X}",
            c as u32
        ));
    }
    // Count characters only when the bytes could exceed the bound.
    if s.len() > max_chars && s.chars().count() > max_chars {
        return Some(format!("must be at most {max_chars} characters"));
    }
    None
}

fn refuse(field: String, reason: String) -> BadString {
    BadString {
        message: format!("`{field}` {reason}"),
        field,
    }
}

/// Checks the variables of a request.
pub fn check_variables(variables: &Variables, max_chars: usize) -> Result<(), BadString> {
    for (name, value) in variables.iter() {
        check_const(value, &mut format!("${name}"), max_chars)?;
    }
    Ok(())
}

fn check_const(value: &ConstValue, path: &mut String, max_chars: usize) -> Result<(), BadString> {
    match value {
        ConstValue::String(s) => match check_str(s, max_chars) {
            Some(reason) => Err(refuse(path.clone(), reason)),
            None => Ok(()),
        },
        ConstValue::List(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!(".{i}"));
                check_const(item, path, max_chars)?;
                path.truncate(len);
            }
            Ok(())
        }
        ConstValue::Object(fields) => {
            for (key, item) in fields {
                let len = path.len();
                path.push('.');
                path.push_str(key);
                if let Some(reason) = check_str(key, max_chars) {
                    return Err(refuse(path.clone(), reason));
                }
                check_const(item, path, max_chars)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Where variable `$name` is used in `doc` (`search.text`, `registerInformationSystem.input`), so that a refused
/// value can be named by the argument it feeds.
pub fn usage_path(doc: &ExecutableDocument, name: &str) -> Option<String> {
    let sets = doc
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set)
        .chain(doc.fragments.values().map(|f| &f.node.selection_set));
    for set in sets {
        if let Some(path) = usage_in_set(set, name) {
            return Some(path);
        }
    }
    None
}

fn usage_in_set(set: &Positioned<SelectionSet>, name: &str) -> Option<String> {
    for item in &set.node.items {
        let found = match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                field
                    .arguments
                    .iter()
                    .find_map(|(arg, value)| {
                        usage_in_value(
                            &value.node,
                            name,
                            format!("{}.{}", field.name.node, arg.node),
                        )
                    })
                    .or_else(|| usage_in_set(&field.selection_set, name))
            }
            Selection::InlineFragment(fragment) => usage_in_set(&fragment.node.selection_set, name),
            Selection::FragmentSpread(_) => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn usage_in_value(value: &Value, name: &str, path: String) -> Option<String> {
    match value {
        Value::Variable(v) if v.as_str() == name => Some(path),
        Value::List(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| usage_in_value(item, name, format!("{path}.{i}"))),
        Value::Object(fields) => fields
            .iter()
            .find_map(|(key, item)| usage_in_value(item, name, format!("{path}.{key}"))),
        _ => None,
    }
}

/// Names a refused variable (`$t.x`) by the argument it feeds in `doc` (`search.text.x`), where it feeds one.
pub fn name_by_usage(bad: BadString, doc: &ExecutableDocument) -> BadString {
    let Some(rest) = bad.field.strip_prefix('$') else {
        return bad;
    };
    let (var, tail) = rest.split_once('.').map_or((rest, ""), |(v, t)| (v, t));
    let Some(path) = usage_path(doc, var) else {
        return bad;
    };
    let field = if tail.is_empty() {
        path
    } else {
        format!("{path}.{tail}")
    };
    BadString {
        message: bad.message.replacen(&bad.field, &field, 1),
        field,
    }
}

/// Checks every literal of a document: field and directive arguments, and variable defaults.
pub fn check_document(doc: &ExecutableDocument, max_chars: usize) -> Result<(), BadString> {
    for (_, operation) in doc.operations.iter() {
        for var in &operation.node.variable_definitions {
            if let Some(default) = &var.node.default_value {
                check_const(
                    &default.node,
                    &mut format!("${}", var.node.name.node),
                    max_chars,
                )?;
            }
        }
        check_selection_set(&operation.node.selection_set, max_chars)?;
    }
    for fragment in doc.fragments.values() {
        check_selection_set(&fragment.node.selection_set, max_chars)?;
    }
    Ok(())
}

fn check_selection_set(set: &Positioned<SelectionSet>, max_chars: usize) -> Result<(), BadString> {
    for item in &set.node.items {
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                check_arguments(&field.name.node, &field.arguments, max_chars)?;
                for directive in &field.directives {
                    let d = &directive.node;
                    check_arguments(&d.name.node, &d.arguments, max_chars)?;
                }
                check_selection_set(&field.selection_set, max_chars)?;
            }
            Selection::InlineFragment(fragment) => {
                check_selection_set(&fragment.node.selection_set, max_chars)?
            }
            // Fragments are checked once, from their definitions.
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn check_arguments(
    owner: &Name,
    arguments: &[(Positioned<Name>, Positioned<Value>)],
    max_chars: usize,
) -> Result<(), BadString> {
    for (name, value) in arguments {
        // A literal is checked as the constant it is once its variables (checked on their own) are left out.
        let literal = match value
            .node
            .clone()
            .into_const_with(|_| Ok::<_, Infallible>(ConstValue::Null))
        {
            Ok(literal) => literal,
            Err(never) => match never {},
        };
        check_const(&literal, &mut format!("{owner}.{}", name.node), max_chars)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    #[test]
    fn control_characters_are_refused_but_tab_cr_lf_pass() {
        assert!(check_str("Hà Tĩnh\t\r\n", 100).is_none());
        assert!(check_str("a\u{0}b", 100).is_some_and(|m| m.contains("U+0000")));
        assert!(check_str("\u{1f}", 100).is_some_and(|m| m.contains("U+001F")));
        assert!(
            check_str("\u{7f}\u{85}", 100).is_none(),
            "only C0 is refused"
        );
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(
            check_str(&"đ".repeat(10), 10).is_none(),
            "20 bytes, 10 characters"
        );
        assert!(check_str(&"a".repeat(11), 10).is_some());
    }

    #[test]
    fn document_literals_are_checked_with_their_path() {
        let doc = parse_query(
            "{ ok: search(text: \"tab\\there\") { title } search(text: \"nul\\u0000\") { title } }",
        )
        .expect("parses");
        let err = check_document(&doc, 100).expect_err("refused");
        assert_eq!(err.field, "search.text");
        let doc = parse_query(
            "mutation { registerInformationSystem(input: { name: \"x\", tags: [\"a\", \"b\\u0001\"] }) { code } }",
        )
        .expect("parses");
        let err = check_document(&doc, 100).expect_err("refused");
        assert_eq!(err.field, "registerInformationSystem.input.tags.1");
        let doc = parse_query("query($t: String = \"\\u0000\") { search(text: $t) { title } }")
            .expect("parses");
        assert_eq!(check_document(&doc, 100).expect_err("default").field, "$t");
    }

    #[test]
    fn variables_are_checked_with_their_path() {
        let vars = Variables::from_json(serde_json::json!({
            "input": { "name": "Sở Y tế", "refs": ["ok", "bad\u{0}"] }
        }));
        let err = check_variables(&vars, 100).expect_err("refused");
        assert_eq!(err.field, "$input.refs.1");
        assert!(err.message.contains("U+0000"), "{}", err.message);
        let ok = Variables::from_json(serde_json::json!({ "text": "so thong tin" }));
        assert!(check_variables(&ok, 100).is_ok());
    }

    #[test]
    fn variables_are_named_by_the_argument_they_feed() {
        let doc = parse_query(
            "mutation($i: RegisterInput!, $t: String!) { a: search(text: \"x\") { title } \
             registerInformationSystem(input: $i) { code } b: search(text: $t) { title } }",
        )
        .expect("parses");
        let vars =
            Variables::from_json(serde_json::json!({ "i": { "name": "a\u{0}" }, "t": "ok" }));
        let bad = name_by_usage(check_variables(&vars, 100).expect_err("refused"), &doc);
        assert_eq!(bad.field, "registerInformationSystem.input.name");
        assert!(
            bad.message
                .starts_with("`registerInformationSystem.input.name` "),
            "{}",
            bad.message
        );
        let vars = Variables::from_json(serde_json::json!({ "i": {}, "t": "\u{1}" }));
        let bad = name_by_usage(check_variables(&vars, 100).expect_err("refused"), &doc);
        assert_eq!(bad.field, "search.text");
        let unused = BadString {
            field: "$zz".into(),
            message: "`$zz` x".into(),
        };
        assert_eq!(name_by_usage(unused, &doc).field, "$zz");
    }
}
