//! The public souls directory: its sitemap (parsed and cached per replica) and one soul's
//! markdown.
//!
//! The cache is per replica, not shared through Redis: the sitemap is public, the same for
//! everyone, and cheap to fetch, so sharing would save at most one request per replica per
//! `SOULS_DIRECTORY_CACHE_SECONDS` while adding a Redis dependency to a read that needs none.
//! Concurrent cold reads wait for one fetch instead of each fetching.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Mutex;
use url::Url;

use super::{OutboundError, read_capped, request_error};
use crate::config::SoulsConfig;
use crate::domain::souls::{SoulRef, parse_sitemap};

const SERVICE: &str = "The souls directory";

pub struct SoulsDirectory {
    http: reqwest::Client,
    config: SoulsConfig,
    cache: Mutex<Option<(Instant, Arc<Vec<SoulRef>>)>>,
}

impl SoulsDirectory {
    pub fn new(config: SoulsConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("mission-control/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            config,
            cache: Mutex::new(None),
        })
    }

    /// The base URL without a trailing slash.
    pub fn base(&self) -> String {
        self.config.base_url.as_str().trim_end_matches('/').to_owned()
    }

    /// `<base>/souls/{handle}/{slug}`.
    pub fn page_url(&self, soul: &SoulRef) -> String {
        format!("{}/souls/{}/{}", self.base(), soul.handle, soul.slug)
    }

    /// `<base>/api/souls/{handle}/{slug}.md`.
    pub fn markdown_url(&self, soul: &SoulRef) -> String {
        format!("{}/api/souls/{}/{}.md", self.base(), soul.handle, soul.slug)
    }

    /// The souls the sitemap lists, from the cache when it is fresh.
    pub async fn souls(&self) -> Result<Arc<Vec<SoulRef>>, OutboundError> {
        let mut cache = self.cache.lock().await;
        if let Some((at, souls)) = cache.as_ref()
            && at.elapsed() < self.config.cache_for
        {
            return Ok(Arc::clone(souls));
        }
        let xml = self.get(&format!("{}/sitemap.xml", self.base())).await?;
        let souls = Arc::new(parse_sitemap(&String::from_utf8_lossy(&xml), &self.base()));
        *cache = Some((Instant::now(), Arc::clone(&souls)));
        Ok(souls)
    }

    /// One soul's markdown. The caller has validated the names.
    pub async fn markdown(&self, soul: &SoulRef) -> Result<String, OutboundError> {
        let body = self.get(&self.markdown_url(soul)).await?;
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, OutboundError> {
        let url = Url::parse(url).map_err(|_| OutboundError::NotFound)?;
        let res = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| request_error(SERVICE, &e, self.config.timeout))?;
        match res.status().as_u16() {
            200..=299 => read_capped(SERVICE, res, self.config.max_bytes, self.config.timeout).await,
            404 | 410 => Err(OutboundError::NotFound),
            status => Err(OutboundError::Status {
                service: SERVICE,
                status,
            }),
        }
    }
}
