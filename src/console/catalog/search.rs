//! `/console/search`: the API's ranked search across every registry, with or without diacritics (`ha tinh` finds
//! Hà Tĩnh), each hit linked to the page that shows it.

use axum::{
    extract::{Query, State},
    response::Response,
};
use maud::html;
use serde_json::{json, Value};

use super::{filled, label, query, respond, s, search_box, ListParams};
use crate::{
    console::{error::shown, i18n::t, session::SignedIn},
    http::AppState,
};

/// `/console/search?q=`
pub async fn search(
    State(app): State<AppState>,
    user: Option<SignedIn>,
    Query(params): Query<ListParams>,
) -> Response {
    shown(user.as_ref(), async {
        let hits = match filled(&params.q) {
            Some(text) => {
                let data = query(
                    &app,
                    user.as_ref(),
                    "query($text: String!) { search(text: $text, first: 30) { kind title rank
                       node { ... on Province { code } ... on Plan { key } ... on Agency { key province { code } }
                              ... on InformationSystem { code } ... on Project { key } ... on NationalDatabase { key }
                              ... on Indicator { key } } } }",
                    json!({ "text": text }),
                )
                .await?;
                Some(data["search"].as_array().cloned().unwrap_or_default())
            }
            None => None,
        };
        let form = html! {
            form.filters method="get" action="/console/search" data-live-search="results" role="search" {
                (search_box(&params))
                button type="submit" { (t("catalog.search.submit")) }
            }
        };
        let results = html! {
            @match &hits {
                None => p.muted { (t("catalog.search.hint")) },
                Some(hits) if hits.is_empty() => p { (t("catalog.search.none")) },
                Some(hits) => ol { @for hit in hits { li {
                    @match link(hit) {
                        Some(href) => a href=(href) { (s(&hit["title"])) },
                        None => (s(&hit["title"])),
                    }
                    " " span.badge { (label("kind", &hit["kind"])) }
                } } },
            }
        };
        Ok(respond(
            &params,
            t("catalog.search.title"),
            user.as_ref(),
            "/console/search",
            form,
            results,
        ))
    }
    .await)
}

/// The console page that shows a hit: its own page where it has one, else its list filtered to find it.
fn link(hit: &Value) -> Option<String> {
    let node = &hit["node"];
    let title = crate::console::paging::encode(s(&hit["title"]));
    Some(match hit["kind"].as_str()? {
        "PROVINCE" => format!("/console/provinces/{}", node["code"].as_str()?),
        "PLAN" => format!("/console/plans/{}", node["key"].as_str()?),
        "AGENCY" => format!("/console/agencies?q={title}"),
        "INFORMATION_SYSTEM" => format!("/console/systems?q={title}"),
        "PROJECT" => format!("/console/projects?q={title}"),
        "NATIONAL_DATABASE" => format!("/console/national-databases?q={title}"),
        "INDICATOR" => format!("/console/indicators?q={title}"),
        _ => return None,
    })
}
