//! Relay connections: the `Conn<T>` type every paginated field returns, with its `totalCount`, and the helpers that
//! turn a store [`Page`] into edges and the `first`/`after`/`last`/`before` arguments into [`PageArgs`].

use async_graphql::{
    connection::{Connection, CursorType, Edge},
    OutputType, SimpleObject,
};

use crate::store::page::{Cursor, Page, PageArgs};

/// Extra fields on every connection.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// Rows matching the filter, across all pages.
    pub total_count: i64,
}

/// A connection of `T`. Its cursors are sealed when a client selects them (`cursor`, `pageInfo`), not before.
pub type Conn<T> = Connection<Cursor, T, ConnectionFields>;

/// Cursors go out through this trait; coming in (`after`, `before`) they are opened by the store, which holds the key
/// and knows the order they must be for (`store::page`), never through it.
impl CursorType for Cursor {
    type Error = &'static str;

    fn decode_cursor(_: &str) -> Result<Self, Self::Error> {
        Err("cursors are opened by the store")
    }

    fn encode_cursor(&self) -> String {
        self.seal()
    }
}

/// The connection of a page, each row wrapped by `wrap` into an edge with its cursor.
pub(crate) fn connection<M, T: OutputType>(page: Page<M>, wrap: impl Fn(M) -> T) -> Conn<T> {
    let mut conn = Connection::with_additional_fields(
        page.has_previous_page,
        page.has_next_page,
        ConnectionFields {
            total_count: page.total_count as i64,
        },
    );
    conn.edges.extend(
        page.rows
            .into_iter()
            .map(|(cursor, m)| Edge::new(cursor, wrap(m))),
    );
    conn
}

/// The page a connection field's arguments ask for.
pub(crate) fn page_args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
    }
}
