//! The page every console page is drawn in: head, skip link, header with who is signed in, the navigation their
//! roles open, the body and the footer; and the content security policy of every console response.
//!
//! A page loads only the console's stylesheet and script, from the hub itself (`crate::assets`): nothing from
//! another origin, no inline script, no inline style.

use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use super::{i18n::t, session::SignedIn};
use crate::assets;

/// The content security policy of every console response: everything from the hub itself, nothing inline (the
/// charts are inline SVG, which is markup, not script or style), forms post only back to the hub.
pub const CSP: &str =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
                       form-action 'self'; frame-ancestors 'none'";

/// The areas of the console, one per entry of the main navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Catalog,
    Agency,
    Approvals,
    Integrator,
    Audit,
    Admin,
}

impl Area {
    const ALL: [Area; 6] = [
        Area::Catalog,
        Area::Agency,
        Area::Approvals,
        Area::Integrator,
        Area::Audit,
        Area::Admin,
    ];

    fn href(self) -> &'static str {
        match self {
            Area::Catalog => "/console",
            Area::Agency => "/console/agency",
            Area::Approvals => "/console/approvals",
            Area::Integrator => "/console/integrator",
            Area::Audit => "/console/audit",
            Area::Admin => "/console/admin",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Area::Catalog => t("common.nav.catalog"),
            Area::Agency => t("common.nav.agency"),
            Area::Approvals => t("common.nav.approvals"),
            Area::Integrator => t("common.nav.integrator"),
            Area::Audit => t("common.nav.audit"),
            Area::Admin => t("common.nav.admin"),
        }
    }

    /// Whether the navigation shows this area to `user`. Only a hint: each page checks the role itself (and the
    /// schema checks it again), a hidden link is no protection.
    fn shown_to(self, user: Option<&SignedIn>) -> bool {
        let Some(user) = user else {
            return self == Area::Catalog;
        };
        let scope = |s: &str| user.principal.has_scope(s);
        match self {
            Area::Catalog | Area::Integrator => true,
            Area::Agency => scope("systems:write"),
            Area::Approvals => scope("systems:approve"),
            Area::Audit => scope("audit:read"),
            Area::Admin => scope("registry:admin"),
        }
    }
}

/// A whole HTML page around `body`, with no navigation entry marked as the current one.
pub fn page(title: &str, user: Option<&SignedIn>, body: Markup) -> Response {
    Html(document(title, user, None, body).into_string()).into_response()
}

/// A whole HTML page around `body` in `area`, whose navigation entry is marked current.
pub fn page_in(area: Area, title: &str, user: Option<&SignedIn>, body: Markup) -> Response {
    Html(document(title, user, Some(area), body).into_string()).into_response()
}

fn document(title: &str, user: Option<&SignedIn>, area: Option<Area>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t("common.app.title")) }
                // No icon file: an empty data URL (allowed by the CSP's `img-src data:`) stops the browser asking
                // for /favicon.ico, a 404 on every first page.
                link rel="icon" href="data:,";
                link rel="stylesheet" href=(assets::url("console.css"));
                script src=(assets::url("console.js")) defer {}
            }
            body {
                a.skip-link href="#main" { (t("common.skip")) }
                header.site-header {
                    div.bar {
                        a.site-title href="/console" { (t("common.app.title")) }
                        div.who { (who(user)) }
                    }
                    nav.main-nav aria-label=(t("common.nav.label")) {
                        ul {
                            @for item in Area::ALL.into_iter().filter(|a| a.shown_to(user)) {
                                li {
                                    @if Some(item) == area {
                                        a href=(item.href()) aria-current="page" { (item.label()) }
                                    } @else {
                                        a href=(item.href()) { (item.label()) }
                                    }
                                }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
                footer.site-footer {
                    div {
                        p { (t("common.footer.about")) }
                        p {
                            a href="/" { (t("common.footer.graphiql")) } " · "
                            a href="/schema.graphql" { (t("common.footer.schema")) }
                        }
                    }
                }
            }
        }
    }
}

/// Who is signed in and the sign-out form, or the sign-in link.
fn who(user: Option<&SignedIn>) -> Markup {
    html! {
        @if let Some(user) = user {
            span { (t("common.signed-in-as")) " " strong { (user.display_name) } }
            (super::session::sign_out_form(user))
        } @else {
            a href="/console/sign-in" { (t("common.sign-in")) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_visitors_see_the_catalog_only() {
        let shown: Vec<_> = Area::ALL.into_iter().filter(|a| a.shown_to(None)).collect();
        assert_eq!(shown, [Area::Catalog]);
    }

    #[test]
    fn every_area_has_a_label() {
        for area in Area::ALL {
            assert!(!area.label().starts_with("common."), "{area:?}");
        }
    }
}
