//! Measures live-stream fan-out: opens N subscribers on one replica, writes tasks through
//! another, and reports write-to-delivery latency (p50/p99) and losses.
//!
//! usage: stream-bench <write base URL> <subscribe base URL> <token> <board id> [subscribers] [writes]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    system_tests::init();
    let args: Vec<String> = std::env::args().collect();
    anyhow::ensure!(
        args.len() >= 5,
        "usage: stream-bench <write-base> <subscribe-base> <token> <board> [subscribers] [writes]"
    );
    let (write_base, sub_base, token, board) = (&args[1], &args[2], args[3].clone(), &args[4]);
    let subscribers: usize = args.get(5).map_or(Ok(1000), |s| s.parse())?;
    let writes: usize = args.get(6).map_or(Ok(50), |s| s.parse())?;

    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build()?;
    let arrivals: Arc<Mutex<HashMap<String, Vec<Instant>>>> = Arc::default();
    let connected = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let url = format!("{sub_base}/api/v1/boards/{board}/tasks/stream?since=null");
    for _ in 0..subscribers {
        let client = client.clone();
        let url = url.clone();
        let token = token.clone();
        let arrivals = arrivals.clone();
        let connected = connected.clone();
        tokio::spawn(async move {
            let Ok(res) = client
                .get(&url)
                .bearer_auth(&token)
                .header("accept", "text/event-stream")
                .send()
                .await
            else {
                return;
            };
            connected.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut body = res.bytes_stream();
            let mut buf = String::new();
            while let Some(Ok(chunk)) = body.next().await {
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let block: String = buf.drain(..end + 2).collect();
                    if let Some(pos) = block.find("\"title\":\"bench-") {
                        let rest = &block[pos + 9..];
                        let title: String = rest.chars().take_while(|c| *c != '"').collect();
                        arrivals
                            .lock()
                            .expect("lock")
                            .entry(title)
                            .or_default()
                            .push(Instant::now());
                    }
                }
            }
        });
    }
    let started = Instant::now();
    while connected.load(std::sync::atomic::Ordering::SeqCst) < subscribers
        && started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let open = connected.load(std::sync::atomic::Ordering::SeqCst);
    println!("subscribers connected: {open}/{subscribers} in {:?}", started.elapsed());
    tokio::time::sleep(Duration::from_secs(1)).await;

    let mut sent: HashMap<String, Instant> = HashMap::new();
    for i in 0..writes {
        let title = format!("bench-{i}");
        let t0 = Instant::now();
        let res = client
            .post(format!("{write_base}/api/v1/boards/{board}/tasks"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"title": title}))
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "write failed: {}", res.status());
        sent.insert(title, t0);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    let arrivals = arrivals.lock().expect("lock");
    let mut latencies: Vec<f64> = Vec::new();
    let mut missing = 0usize;
    for (title, t0) in &sent {
        let got = arrivals.get(title).map_or(&[][..], Vec::as_slice);
        missing += open.saturating_sub(got.len());
        latencies.extend(got.iter().map(|t| t.duration_since(*t0).as_secs_f64() * 1000.0));
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "deliveries: {} (missing {missing}); write-to-delivery latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        pct(0.50),
        pct(0.99),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}
