//! A local stand-in for the public souls directory: a sitemap, markdown for the souls it
//! lists, and souls that misbehave (`slow/*` answers after 3 s, `big/*` sends 64 KiB with a
//! length, `stream/*` sends 64 KiB in chunks without one). Counts the requests it gets.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

#[derive(Clone, Default)]
pub struct Counts {
    pub sitemap: Arc<AtomicUsize>,
    pub markdown: Arc<AtomicUsize>,
}

impl Counts {
    pub fn sitemap(&self) -> usize {
        self.sitemap.load(Ordering::SeqCst)
    }
    pub fn markdown(&self) -> usize {
        self.markdown.load(Ordering::SeqCst)
    }
}

pub struct FakeSoulsDirectory {
    pub base_url: String,
    pub counts: Counts,
}

/// The souls the sitemap lists, as `handle/slug`.
pub const LISTED: &[&str] = &[
    "alice/helper",
    "alice/reviewer",
    "bob/coder",
    "slow/poke",
    "big/blob",
    "stream/flood",
];

impl FakeSoulsDirectory {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let counts = Counts::default();
        let app = Router::new()
            .route("/sitemap.xml", get(sitemap))
            .route("/api/souls/{handle}/{file}", get(markdown))
            .with_state((base_url.clone(), counts.clone()));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base_url, counts }
    }
}

async fn sitemap(State((base, counts)): State<(String, Counts)>) -> String {
    counts.sitemap.fetch_add(1, Ordering::SeqCst);
    let mut xml = String::from("<?xml version=\"1.0\"?><urlset>");
    xml.push_str(&format!(
        "<url><loc>{base}/</loc></url><url><loc>{base}/about</loc></url>"
    ));
    for soul in LISTED {
        xml.push_str(&format!("<url><loc>{base}/souls/{soul}</loc></url>"));
    }
    xml.push_str("</urlset>");
    xml
}

async fn markdown(
    State((_, counts)): State<(String, Counts)>,
    Path((handle, file)): Path<(String, String)>,
) -> Response {
    counts.markdown.fetch_add(1, Ordering::SeqCst);
    let Some(slug) = file.strip_suffix(".md") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match handle.as_str() {
        "slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            "# too late".into_response()
        }
        "big" => "x".repeat(64 * 1024).into_response(),
        "stream" => {
            let chunks = (0..64).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'y'; 1024])));
            Body::from_stream(futures::stream::iter(chunks)).into_response()
        }
        _ if LISTED.contains(&format!("{handle}/{slug}").as_str()) => {
            format!("# {handle}/{slug}\n\nA soul for tests.\n").into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
