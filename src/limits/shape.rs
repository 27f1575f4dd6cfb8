//! The shape of a parsed document, with fragments expanded: how many fields it would resolve, how deep, how wide, how
//! many aliases and directives. Each fragment is measured once and its figures reused wherever it is spread, so a
//! "fragment bomb" (each fragment spreading the next twice) costs this walk linear time while its expanded figures
//! saturate and get it refused.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Positioned};

/// Figures of a selection set as executed (fragments expanded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// Fields resolved in all.
    pub fields: usize,
    pub aliases: usize,
    pub directives: usize,
    /// Deepest nesting of fields (a leaf at the root is 1).
    pub depth: usize,
    /// Fields directly in this selection set (fragments spread here included).
    pub width: usize,
    /// Widest selection set anywhere below, this one included.
    pub max_width: usize,
}

impl Shape {
    fn add(&mut self, other: Shape) {
        self.fields = self.fields.saturating_add(other.fields);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.directives = self.directives.saturating_add(other.directives);
        self.depth = self.depth.max(other.depth);
        self.width = self.width.saturating_add(other.width);
        self.max_width = self.max_width.max(other.max_width);
    }
}

/// The document spreads a fragment inside itself (validation would refuse it; we stop before expanding it).
#[derive(Debug, PartialEq, Eq)]
pub struct FragmentCycle(pub String);

/// The figures of every operation of `doc`, summed (all of them are validated, so all of them cost), with `width`
/// the widest root.
pub fn measure(doc: &ExecutableDocument) -> Result<Shape, FragmentCycle> {
    let mut walker = Walker {
        doc,
        done: HashMap::new(),
        visiting: Vec::new(),
    };
    let mut total = Shape::default();
    let mut roots = 0;
    for (_, operation) in doc.operations.iter() {
        let mut shape = walker.selection_set(&operation.node.selection_set)?;
        roots = roots.max(shape.width);
        shape.directives = shape
            .directives
            .saturating_add(operation.node.directives.len());
        total.add(shape);
    }
    total.width = roots;
    Ok(total)
}

struct Walker<'a> {
    doc: &'a ExecutableDocument,
    done: HashMap<&'a Name, Shape>,
    visiting: Vec<&'a Name>,
}

impl<'a> Walker<'a> {
    fn selection_set(&mut self, set: &'a Positioned<SelectionSet>) -> Result<Shape, FragmentCycle> {
        let mut shape = Shape::default();
        for item in &set.node.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let children = self.selection_set(&field.selection_set)?;
                    let own = Shape {
                        fields: children.fields.saturating_add(1),
                        aliases: children.aliases + usize::from(field.alias.is_some()),
                        directives: children.directives.saturating_add(field.directives.len()),
                        depth: children.depth + 1,
                        width: 1,
                        max_width: children.max_width,
                    };
                    shape.add(own);
                }
                Selection::InlineFragment(fragment) => {
                    let mut inner = self.selection_set(&fragment.node.selection_set)?;
                    inner.directives = inner
                        .directives
                        .saturating_add(fragment.node.directives.len());
                    shape.add(inner);
                }
                Selection::FragmentSpread(spread) => {
                    let mut inner = self.fragment(&spread.node.fragment_name.node)?;
                    inner.directives = inner
                        .directives
                        .saturating_add(spread.node.directives.len());
                    shape.add(inner);
                }
            }
        }
        shape.max_width = shape.max_width.max(shape.width);
        Ok(shape)
    }

    fn fragment(&mut self, name: &'a Name) -> Result<Shape, FragmentCycle> {
        if let Some(shape) = self.done.get(name) {
            return Ok(*shape);
        }
        // An unknown fragment is validation's to report; it adds nothing here.
        let Some(fragment) = self.doc.fragments.get(name) else {
            return Ok(Shape::default());
        };
        if self.visiting.contains(&name) {
            return Err(FragmentCycle(name.to_string()));
        }
        self.visiting.push(name);
        let mut shape = self.selection_set(&fragment.node.selection_set)?;
        self.visiting.pop();
        shape.directives = shape
            .directives
            .saturating_add(fragment.node.directives.len());
        self.done.insert(name, shape);
        Ok(shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn shape(doc: &str) -> Result<Shape, FragmentCycle> {
        measure(&parse_query(doc).expect("parses"))
    }

    #[test]
    fn counts_fields_aliases_depth_and_width() {
        let s = shape("{ a: provinces { name code } b: provinces @skip(if: true) { name } }")
            .expect("ok");
        assert_eq!(s.fields, 5);
        assert_eq!(s.aliases, 2);
        assert_eq!(s.directives, 1);
        assert_eq!(s.depth, 2);
        assert_eq!(s.width, 2);
        assert_eq!(s.max_width, 2);
    }

    #[test]
    fn fragments_count_where_they_are_spread() {
        let s = shape(
            "query { provinces { ...P ...P } x: viewer { subject } } fragment P on Province { name code }",
        )
        .expect("ok");
        assert_eq!(s.fields, 1 + 4 + 2);
        assert_eq!(
            s.max_width, 4,
            "a fragment's fields widen the selection they are spread into"
        );
        assert_eq!(s.width, 2);
    }

    #[test]
    fn fragment_bombs_saturate_quickly() {
        let mut doc = String::from("{ provinces { ...F0 } }\n");
        for i in 0..64 {
            doc.push_str(&format!(
                "fragment F{i} on Province {{ ...F{} ...F{} }}\n",
                i + 1,
                i + 1
            ));
        }
        doc.push_str("fragment F64 on Province { a: name }\n");
        let s = shape(&doc).expect("ok");
        assert_eq!(s.fields, usize::MAX, "2^64 expanded fields saturate");
        assert_eq!(s.aliases, usize::MAX);
    }

    #[test]
    fn cycles_are_found() {
        let err = shape("{ provinces { ...A } } fragment A on Province { ...B } fragment B on Province { ...A }")
            .expect_err("cycle");
        assert!(err.0 == "A" || err.0 == "B");
    }
}
