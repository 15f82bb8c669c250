//! The souls directory through us, against a local stand-in: search over its sitemap (cached,
//! fetched once), markdown with and without `.md`, names that could leave their path segment
//! refused before any call, and every failure of the outside bounded: slow → 504, too large
//! (with or without a length) → 502, unreachable → 502, turned off → 503, each with a detail.

use reqwest::Method;
use system_tests::souls::FakeSoulsDirectory;
use system_tests::{Backend, Deployment, Launch, free_port};

async fn start(dir: &FakeSoulsDirectory) -> Deployment {
    Backend::Sqlite
        .start_with(
            Launch::new()
                .env("SOULS_DIRECTORY_BASE_URL", dir.base_url.clone())
                .env("SOULS_DIRECTORY_TIMEOUT_SECONDS", "1")
                .env("SOULS_DIRECTORY_MAX_BYTES", "16384"),
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn search_reads_the_sitemap_once_and_matches_handle_and_slug() {
    let dir = FakeSoulsDirectory::start().await;
    let svc = start(&dir).await;
    let found = svc
        .ok(Method::GET, "/api/v1/souls-directory/search?q=ALICE", None)
        .await;
    let items = found["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{found}");
    assert_eq!(items[0]["handle"], "alice");
    assert_eq!(items[0]["slug"], "helper");
    assert_eq!(items[0]["page_url"], format!("{}/souls/alice/helper", dir.base_url));
    assert_eq!(
        items[0]["raw_md_url"],
        format!("{}/api/souls/alice/helper.md", dir.base_url)
    );
    let first = svc
        .ok(Method::GET, "/api/v1/souls-directory/search?limit=3", None)
        .await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(3), "{first}");
    let none = svc
        .ok(Method::GET, "/api/v1/souls-directory/search?q=nobody", None)
        .await;
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0), "{none}");
    assert_eq!(dir.counts.sitemap(), 1, "the sitemap is cached");
    for bad in ["0", "101", "many"] {
        let (status, body) = svc
            .call(
                Method::GET,
                &format!("/api/v1/souls-directory/search?limit={bad}"),
                None,
            )
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(body["detail"][0]["loc"][1], "limit", "{body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn markdown_is_served_with_and_without_the_md_suffix() {
    let dir = FakeSoulsDirectory::start().await;
    let svc = start(&dir).await;
    for path in [
        "/api/v1/souls-directory/bob/coder",
        "/api/v1/souls-directory/bob/coder.md",
    ] {
        let soul = svc.ok(Method::GET, path, None).await;
        assert_eq!(soul["handle"], "bob", "{soul}");
        assert_eq!(soul["slug"], "coder", "{soul}");
        assert!(
            soul["content"].as_str().unwrap_or_default().starts_with("# bob/coder"),
            "{soul}"
        );
    }
    let (status, body) = svc.call(Method::GET, "/api/v1/souls-directory/bob/nothing", None).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["detail"], "Soul not found");
}

#[tokio::test(flavor = "multi_thread")]
async fn names_that_could_leave_their_segment_never_reach_the_directory() {
    let dir = FakeSoulsDirectory::start().await;
    let svc = start(&dir).await;
    for path in [
        "/api/v1/souls-directory/a..b/coder",
        "/api/v1/souls-directory/bob/..%2F..%2Fsitemap.xml",
        "/api/v1/souls-directory/.hidden/x",
        "/api/v1/souls-directory/bob/a%3Fq%3D1",
        "/api/v1/souls-directory/bob/%2e%2e",
    ] {
        let (status, body) = svc.call(Method::GET, path, None).await;
        assert!(status == 422 || status == 404, "{path}: {status} {body}");
        assert!(body["request_id"].is_string(), "{path}: {body}");
    }
    assert_eq!(dir.counts.markdown(), 0, "nothing reached the directory");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_or_oversized_directory_gets_504_or_502_with_a_detail() {
    let dir = FakeSoulsDirectory::start().await;
    let svc = start(&dir).await;
    let started = std::time::Instant::now();
    let (status, body) = svc.call(Method::GET, "/api/v1/souls-directory/slow/poke", None).await;
    assert_eq!(status, 504, "{body}");
    assert!(
        body["detail"].as_str().unwrap_or_default().contains("did not answer"),
        "{body}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2900),
        "the deadline held"
    );
    for path in [
        "/api/v1/souls-directory/big/blob",
        "/api/v1/souls-directory/stream/flood",
    ] {
        let (status, body) = svc.call(Method::GET, path, None).await;
        assert_eq!(status, 502, "{path}: {body}");
        assert!(
            body["detail"].as_str().unwrap_or_default().contains("16384 bytes"),
            "{path}: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_directory_gets_502_and_a_turned_off_one_503() {
    let closed = format!("http://127.0.0.1:{}", free_port());
    let svc = Backend::Sqlite
        .start_with(Launch::new().env("SOULS_DIRECTORY_BASE_URL", closed))
        .await;
    let (status, body) = svc.call(Method::GET, "/api/v1/souls-directory/search", None).await;
    assert_eq!(status, 502, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("could not be reached"),
        "{body}"
    );

    let off = Backend::Sqlite
        .start_with(Launch::new().env("SOULS_DIRECTORY_BASE_URL", "off"))
        .await;
    let (status, body) = off.call(Method::GET, "/api/v1/souls-directory/bob/coder", None).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["detail"].as_str().unwrap_or_default().contains("turned off"),
        "{body}"
    );
}
