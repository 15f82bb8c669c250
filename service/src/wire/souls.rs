//! The souls directory's search hits and markdown.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct SoulsDirectorySoulRef {
    pub handle: String,
    pub slug: String,
    pub page_url: String,
    pub raw_md_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SoulsDirectorySearchResponse {
    pub items: Vec<SoulsDirectorySoulRef>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SoulsDirectoryMarkdownResponse {
    pub handle: String,
    pub slug: String,
    pub content: String,
}
