//! Relay global ids. (Formatted codes such as agency codes live in [`crate::codes`].)

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::error::{Error, Result};

/// The kinds of node a global id can name: the registries, as search hits name them.
pub use super::enums::SearchKind as NodeKind;

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Province => "Province",
            NodeKind::Plan => "Plan",
            NodeKind::Agency => "Agency",
            NodeKind::InformationSystem => "InformationSystem",
            NodeKind::Project => "Project",
            NodeKind::NationalDatabase => "NationalDatabase",
            NodeKind::Indicator => "Indicator",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            NodeKind::Province,
            NodeKind::Plan,
            NodeKind::Agency,
            NodeKind::InformationSystem,
            NodeKind::Project,
            NodeKind::NationalDatabase,
            NodeKind::Indicator,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Encodes a global id: opaque to clients, stable across restarts.
pub fn global_id(kind: NodeKind, key: &str) -> async_graphql::ID {
    async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{}:{key}", kind.as_str())))
}

/// Decodes a global id into its kind and key.
pub fn parse_global_id(field: &str, id: &str) -> Result<(NodeKind, String)> {
    let bad = || Error::bad_input(field, format!("`{field}` is not a valid id"));
    let bytes = URL_SAFE_NO_PAD.decode(id.as_bytes()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (kind, key) = text.split_once(':').ok_or_else(bad)?;
    let kind = NodeKind::parse(kind).ok_or_else(bad)?;
    if key.is_empty() {
        return Err(bad());
    }
    Ok((kind, key.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip() {
        let id = global_id(NodeKind::Agency, "qn-so-tttt");
        assert_eq!(
            parse_global_id("id", &id).expect("valid"),
            (NodeKind::Agency, "qn-so-tttt".to_owned())
        );
        assert!(parse_global_id("id", "!!").is_err());
        assert!(parse_global_id("id", &URL_SAFE_NO_PAD.encode("Nope:1")).is_err());
    }
}

#[cfg(test)]
mod proptests;
