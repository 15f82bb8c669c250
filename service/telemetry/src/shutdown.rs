//! The shutdown signal both binaries stop on.

/// Resolves on SIGTERM or SIGINT (only Ctrl-C where there are no Unix signals).
///
/// The handlers are installed when the future is first polled; until then the signals keep
/// their default action.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::Poll;
    use std::time::Duration;

    use super::shutdown_signal;

    /// Polls the signal future once (installing its handlers), then sends `signal` to this
    /// process and expects the future to resolve.
    async fn resolves_on(signal: &str) {
        let mut fut = pin!(shutdown_signal());
        let first = std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await;
        assert!(first.is_pending(), "no signal was sent yet");
        let status = std::process::Command::new("kill")
            .args([format!("-{signal}"), std::process::id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed");
        tokio::time::timeout(Duration::from_secs(10), fut)
            .await
            .unwrap_or_else(|_| panic!("shutdown_signal did not resolve on SIG{signal}"));
    }

    #[tokio::test]
    async fn sigterm_resolves_the_shutdown_signal() {
        resolves_on("TERM").await;
    }

    #[tokio::test]
    async fn sigint_resolves_the_shutdown_signal() {
        resolves_on("INT").await;
    }
}
