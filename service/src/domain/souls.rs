//! The souls directory, read as data: which sitemap entries are souls, how a search picks
//! them, and which handles and slugs may be put into an upstream URL at all.

/// One soul the directory lists: `<base>/souls/{handle}/{slug}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoulRef {
    pub handle: String,
    pub slug: String,
}

/// Longest handle or slug accepted.
pub const MAX_NAME_LEN: usize = 100;

/// A handle or slug that can go into a URL path segment as is: ASCII letters, digits, `-`,
/// `_` and `.`, starting with a letter or digit, at most [`MAX_NAME_LEN`] characters (no
/// `..`, no `/`, no percent-encoding tricks).
pub fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_LEN
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !s.contains("..")
}

/// The slug without a trailing `.md` (the directory's markdown route adds it).
pub fn strip_md(slug: &str) -> &str {
    slug.strip_suffix(".md").unwrap_or(slug)
}

/// The souls a `sitemap.xml` lists under `base` (no trailing slash): every `<loc>` of the
/// form `<base>/souls/{handle}/{slug}` with valid names, in order, without repeats.
pub fn parse_sitemap(xml: &str, base: &str) -> Vec<SoulRef> {
    let prefix = format!("{base}/souls/");
    let mut out: Vec<SoulRef> = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<loc>") {
        rest = &rest[start + 5..];
        let Some(end) = rest.find("</loc>") else { break };
        let loc = rest[..end].trim().replace("&amp;", "&");
        rest = &rest[end + 6..];
        let Some(path) = loc.strip_prefix(&prefix) else {
            continue;
        };
        let mut parts = path.trim_end_matches('/').split('/');
        let (Some(handle), Some(slug), None) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if valid_name(handle) && valid_name(slug) {
            let soul = SoulRef {
                handle: handle.to_owned(),
                slug: slug.to_owned(),
            };
            if !out.contains(&soul) {
                out.push(soul);
            }
        }
    }
    out
}

/// The first `limit` souls whose `handle/slug` contains `query` (case-insensitive; an empty
/// query matches all).
pub fn search<'a>(souls: &'a [SoulRef], query: &str, limit: usize) -> Vec<&'a SoulRef> {
    let q = query.trim().to_lowercase();
    souls
        .iter()
        .filter(|s| q.is_empty() || format!("{}/{}", s.handle, s.slug).to_lowercase().contains(&q))
        .take(limit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://souls.example";

    #[test]
    fn names_that_could_escape_a_path_segment_are_refused() {
        for ok in ["alice", "a-b_c.d", "Soul42", "x"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            "..",
            "a/b",
            ".hidden",
            "a..b",
            "%2e%2e",
            "a b",
            "é",
            "a?b",
            &"x".repeat(101),
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn the_sitemap_yields_only_soul_pages() {
        let xml = format!(
            "<urlset><url><loc>{BASE}/</loc></url>\
             <url><loc> {BASE}/souls/alice/helper </loc></url>\
             <url><loc>{BASE}/souls/bob/coder/</loc></url>\
             <url><loc>{BASE}/souls/bob/coder</loc></url>\
             <url><loc>{BASE}/souls/only-handle</loc></url>\
             <url><loc>{BASE}/souls/a/b/c</loc></url>\
             <url><loc>{BASE}/souls/../etc</loc></url>\
             <url><loc>https://elsewhere.example/souls/eve/spy</loc></url></urlset>"
        );
        let souls = parse_sitemap(&xml, BASE);
        let names: Vec<String> = souls.iter().map(|s| format!("{}/{}", s.handle, s.slug)).collect();
        assert_eq!(names, ["alice/helper", "bob/coder"]);
    }

    #[test]
    fn search_is_a_case_insensitive_substring_with_a_limit() {
        let souls = parse_sitemap(
            &format!(
                "<loc>{BASE}/souls/alice/Helper</loc><loc>{BASE}/souls/bob/helper-2</loc><loc>{BASE}/souls/carol/x</loc>"
            ),
            BASE,
        );
        assert_eq!(search(&souls, "HELP", 10).len(), 2);
        assert_eq!(search(&souls, "bob/", 10)[0].handle, "bob");
        assert_eq!(search(&souls, "", 2).len(), 2);
        assert!(search(&souls, "zzz", 10).is_empty());
    }

    #[test]
    fn a_trailing_md_is_dropped() {
        assert_eq!(strip_md("helper.md"), "helper");
        assert_eq!(strip_md("helper"), "helper");
    }
}
