//! What an SRE sees of the job runner in `/metrics`: runs by kind and outcome, run time, the
//! queue by state and the age of the oldest due job.

use std::time::Duration;

use serde_json::json;
use system_tests::{Backend, Service, eventually, id, on_both_backends};

use super::{create_webhook, deliver};

async fn metrics(svc: &Service) -> String {
    svc.http
        .get(svc.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

on_both_backends!(job_runs_and_the_queue_show_in_metrics);

async fn job_runs_and_the_queue_show_in_metrics(backend: Backend) {
    let svc = backend.start().await;
    let board = id(&svc.create_board("Metered").await);
    let hook = id(&create_webhook(&svc, &board, json!({"description": "Metered"})).await);
    for n in 0..3 {
        let (status, body) = deliver(&svc, &board, &hook, format!("{{\"n\":{n}}}"), &[]).await;
        assert_eq!(status, 202, "{body}");
    }
    // Runs are counted as they finish; the queue is sampled every few seconds.
    let seen = eventually(Duration::from_secs(20), || {
        let svc = &svc;
        async move {
            let text = metrics(svc).await;
            (text.contains(r#"jobs_total{kind="webhook_delivery",outcome="done"} 3"#)
                && text.contains(r#"jobs_queue{state="ready"} 0"#))
            .then_some(text)
        }
    })
    .await;
    let Some(text) = seen else {
        panic!("job metrics did not appear:\n{}", metrics(&svc).await);
    };
    assert!(
        text.contains(r#"job_run_duration_seconds_count{kind="webhook_delivery"} 3"#),
        "{text}"
    );
    assert!(text.contains("jobs_oldest_ready_age_seconds 0"), "{text}");
    for state in ["scheduled", "running", "failed"] {
        assert!(
            text.contains(&format!("jobs_queue{{state=\"{state}\"}}")),
            "{state}: {text}"
        );
    }
}
