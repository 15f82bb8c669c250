//! Errors of a reconcile, each with a stable `category()` for metrics and backoff.

/// Anything that stops a reconcile short of writing status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API server answered with an error or could not be reached.
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// An object could not be (de)serialised.
    #[error("serialisation: {0}")]
    Serde(#[from] serde_json::Error),
}

impl Error {
    /// Stable label for metrics: `conflict`, `not_found`, `forbidden`, `invalid`, `api_server`,
    /// `connection` or `serialization`.
    pub fn category(&self) -> &'static str {
        match self {
            Self::Kube(kube::Error::Api(status)) => match status.code {
                409 => "conflict",
                404 => "not_found",
                401 | 403 => "forbidden",
                400 | 422 => "invalid",
                _ => "api_server",
            },
            Self::Kube(kube::Error::SerdeError(_)) | Self::Serde(_) => "serialization",
            Self::Kube(_) => "connection",
        }
    }
}
