//! How a list is answered: the page as JSON, with `X-Total-Count`, `X-Limit` and
//! `X-Offset` headers too.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Page;
use crate::wire::PageOf;

/// The `X-Total-Count`, `X-Limit` and `X-Offset` headers of a page of `total` items.
pub fn page_headers(total: i64, page: Page) -> [(&'static str, String); 3] {
    [
        ("x-total-count", total.to_string()),
        ("x-limit", page.limit.to_string()),
        ("x-offset", page.offset.to_string()),
    ]
}

impl<T: ToSchema + Serialize> IntoResponse for PageOf<T> {
    fn into_response(self) -> Response {
        let page = Page {
            limit: self.limit,
            offset: self.offset,
        };
        (page_headers(self.total, page), Json(self)).into_response()
    }
}
