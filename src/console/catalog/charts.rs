//! Bar charts as inline SVG, drawn on the server: no script, no library, nothing for the content security policy to
//! allow (colours come from classes in the stylesheet). Each chart has a text alternative and its numbers in a table
//! beside it, for screen readers and for anyone who wants the figures.

use maud::{html, Markup};

use crate::console::i18n::t;

/// One bar: its label and its parts, each `(series, value)`; a bar of one part for a plain chart.
pub struct Bar {
    pub label: String,
    pub parts: Vec<(usize, f64)>,
}

const WIDTH: f64 = 640.0;
const LABEL: f64 = 130.0;
const VALUE: f64 = 90.0;
const ROW: f64 = 28.0;

/// Horizontal bars, stacked by series when there are several; `series` names them (in the legend), `fmt` writes a
/// value. Colours cycle through the stylesheet's seven `bar-N` classes.
pub fn bars(caption: &str, bars: &[Bar], series: &[String], fmt: fn(f64) -> String) -> Markup {
    let total = |b: &Bar| b.parts.iter().map(|(_, v)| v.max(0.0)).sum::<f64>();
    let max = bars.iter().map(total).fold(0.0_f64, f64::max);
    let scale = if max > 0.0 {
        (WIDTH - LABEL - VALUE) / max
    } else {
        0.0
    };
    let height = ROW * bars.len() as f64 + 8.0;
    html! {
        figure {
            svg.chart role="img" aria-label=(caption) viewBox={ "0 0 " (WIDTH) " " (height) }
                width=(WIDTH) height=(height) {
                title { (caption) }
                @for (i, bar) in bars.iter().enumerate() {
                    @let y = ROW * i as f64 + 4.0;
                    text x="0" y=(y + ROW * 0.6) { (bar.label) }
                    @let (segments, end) = stack(bar, scale);
                    @for (x, w, serie, value) in segments {
                        rect class={ "bar-" (serie % 7) } x=(x) y=(y) width=(w) height=(ROW - 8.0) {
                            title { (bar.label) ": " (series.get(serie).map(String::as_str).unwrap_or_default()) " " (fmt(value)) }
                        }
                    }
                    text x=(end + 6.0) y=(y + ROW * 0.6) { (fmt(total(bar))) }
                }
                line.axis x1=(LABEL) y1="0" x2=(LABEL) y2=(height);
            }
            @if series.len() > 1 {
                ul.legend {
                    @for (i, name) in series.iter().enumerate() {
                        li { span class={ "swatch bar-" (i % 7) } {} (name) }
                    }
                }
            }
            figcaption { (caption) }
            details {
                summary { (t("catalog.chart.table")) }
                div.table-wrap { table {
                    thead { tr {
                        th scope="col" {}
                        @for name in series { th.num scope="col" { (name) } }
                        @if series.len() > 1 { th.num scope="col" { (t("catalog.chart.total")) } }
                    } }
                    tbody { @for bar in bars { tr {
                        th scope="row" { (bar.label) }
                        @for i in 0..series.len() {
                            td.num { @for (_, v) in bar.parts.iter().filter(|(s, _)| *s == i) { (fmt(*v)) } }
                        }
                        @if series.len() > 1 { td.num { (fmt(total(bar))) } }
                    } } }
                } }
            }
        }
    }
}

/// Where each part of `bar` starts and how wide it is, `(x, width, series, value)`, and where the bar ends.
fn stack(bar: &Bar, scale: f64) -> (Vec<(f64, f64, usize, f64)>, f64) {
    let mut x = LABEL;
    let mut segments = Vec::with_capacity(bar.parts.len());
    for &(serie, value) in &bar.parts {
        let w = value.max(0.0) * scale;
        segments.push((x, w, serie, value));
        x += w;
    }
    (segments, x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_bar_fills_the_width_and_the_rest_scale() {
        let svg = bars(
            "c",
            &[
                Bar {
                    label: "a".into(),
                    parts: vec![(0, 10.0)],
                },
                Bar {
                    label: "b".into(),
                    parts: vec![(0, 5.0)],
                },
            ],
            &["s".into()],
            |v| v.to_string(),
        )
        .into_string();
        assert!(
            svg.contains(&format!("width=\"{}\"", WIDTH - LABEL - VALUE)),
            "{svg}"
        );
        assert!(
            svg.contains(&format!("width=\"{}\"", (WIDTH - LABEL - VALUE) / 2.0)),
            "{svg}"
        );
    }
}
