//! Wiring: client, probe server, leader election, watches, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context as _;
use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret, Service};
use kube::runtime::controller::{Config as ControllerConfig, Controller};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher;
use kube::{Api, Client, Resource, ResourceExt};
use kube_lease_manager::LeaseManagerBuilder;

use crate::context::Context;
use crate::crd::MissionControl;
use crate::http::{self, Health};
use crate::metrics::Metrics;
use crate::names;
use crate::reconcile::{self, validate};

/// Options of `mission-control-operator run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Address of `/healthz`, `/readyz` and `/metrics`.
    pub probe_addr: SocketAddr,
    /// Watch one namespace only; `None` watches all.
    pub namespace: Option<String>,
    /// Name of the leader-election Lease.
    pub lease_name: String,
    /// Namespace of the Lease; `None` uses the client's default namespace.
    pub lease_namespace: Option<String>,
    /// Identity of this replica in the Lease and in Events.
    pub identity: String,
    /// Lease duration in seconds.
    pub lease_duration: u64,
    /// Renew this many seconds before the Lease expires.
    pub lease_grace: u64,
}

/// Why the controller stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Shutdown,
    LostLeadership,
}

/// Run until `shutdown` resolves: probes at once, the controller only while leading.
///
/// # Errors
/// Client, bind or lease errors at start, and losing the Lease (so that the pod restarts as a
/// follower).
pub async fn run(opts: RunOptions, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let client = Client::try_default().await.context("building the Kubernetes client")?;
    let metrics = Arc::new(Metrics::default());
    let health = Arc::new(Health {
        ready: false.into(),
        metrics: metrics.clone(),
    });

    let listener = tokio::net::TcpListener::bind(opts.probe_addr)
        .await
        .with_context(|| format!("binding the probe server to {}", opts.probe_addr))?;
    let probe_addr = listener.local_addr()?;
    tracing::info!(%probe_addr, "probe server listening");
    let (server_stop_tx, mut server_stop_rx) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(
        axum::serve(listener, http::router(health.clone()))
            .with_graceful_shutdown(async move {
                let _ = server_stop_rx.wait_for(|stop| *stop).await;
            })
            .into_future(),
    );

    let lease_namespace = opts
        .lease_namespace
        .clone()
        .unwrap_or_else(|| client.default_namespace().to_string());
    let manager = LeaseManagerBuilder::new(client.clone(), &opts.lease_name)
        .with_namespace(&lease_namespace)
        .with_identity(&opts.identity)
        .with_duration(opts.lease_duration)
        .with_grace(opts.lease_grace)
        .build()
        .await
        .context("setting up the leader-election Lease")?;
    let (mut leader, lease_task) = manager.watch().await;
    health.ready.store(true, Ordering::SeqCst);
    tracing::info!(identity = %opts.identity, lease = %opts.lease_name, namespace = %lease_namespace, "waiting for leadership");

    let mut shutdown = Box::pin(shutdown);
    let stop = loop {
        if *leader.borrow_and_update() {
            break None;
        }
        tokio::select! {
            () = &mut shutdown => break Some(Stop::Shutdown),
            changed = leader.changed() => {
                if changed.is_err() {
                    anyhow::bail!("the lease manager stopped");
                }
            }
        }
    };

    let stop = match stop {
        Some(stop) => stop,
        None => {
            tracing::info!(identity = %opts.identity, "became leader; starting the controller");
            metrics.leader.set(1);
            let (ctrl_stop_tx, ctrl_stop_rx) = tokio::sync::oneshot::channel::<()>();
            let supervisor = tokio::spawn(async move {
                let why = tokio::select! {
                    () = &mut shutdown => Stop::Shutdown,
                    () = async {
                        loop {
                            if leader.changed().await.is_err() || !*leader.borrow_and_update() {
                                break;
                            }
                        }
                    } => Stop::LostLeadership,
                };
                let _ = ctrl_stop_tx.send(());
                // Dropping the receiver makes the lease task release the Lease and exit.
                drop(leader);
                why
            });
            let ctx = Arc::new(Context::new(
                client.clone(),
                metrics.clone(),
                Some(opts.identity.clone()),
            )?);
            controller(client.clone(), opts.namespace.as_deref())
                .graceful_shutdown_on(async move {
                    let _ = ctrl_stop_rx.await;
                })
                .run(reconcile::reconcile, reconcile::error_policy, ctx)
                .for_each(|result| async move {
                    match result {
                        Ok((obj, _)) => tracing::debug!(object = %obj, "reconciled"),
                        Err(e) => tracing::debug!(error = %e, "controller event"),
                    }
                })
                .await;
            metrics.leader.set(0);
            supervisor.await.unwrap_or(Stop::Shutdown)
        }
    };

    health.ready.store(false, Ordering::SeqCst);
    match tokio::time::timeout(Duration::from_secs(5), lease_task).await {
        Ok(Ok(Ok(_))) => tracing::info!("released the Lease"),
        Ok(Ok(Err(e))) => tracing::warn!(error = %e, "could not release the Lease"),
        Ok(Err(e)) => tracing::warn!(error = %e, "lease task failed"),
        Err(_) => tracing::warn!("timed out releasing the Lease"),
    }
    let _ = server_stop_tx.send(true);
    let _ = server.await;
    match stop {
        Stop::Shutdown => {
            tracing::info!("shut down");
            Ok(())
        }
        Stop::LostLeadership => {
            anyhow::bail!("lost the leader Lease; exiting so that a follower takes over")
        }
    }
}

fn managed() -> watcher::Config {
    watcher::Config::default().labels(&format!("app.kubernetes.io/managed-by={}", names::FIELD_MANAGER))
}

fn api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// `MissionControl`s in `store` that read the Secret `secret` (by reference or ownership).
pub fn secret_dependents(store: &Store<MissionControl>, secret: &Secret) -> Vec<ObjectRef<MissionControl>> {
    let namespace = secret.namespace().unwrap_or_default();
    let name = secret.name_any();
    store
        .state()
        .iter()
        .filter(|mc| mc.namespace().as_deref() == Some(namespace.as_str()))
        .filter(|mc| {
            let owned = secret
                .owner_references()
                .iter()
                .any(|o| o.kind == "MissionControl" && Some(&o.uid) == mc.uid().as_ref());
            owned || validate::spec(mc).is_ok_and(|v| v.referenced_secrets().iter().any(|r| r.name == name))
        })
        .map(|mc| ObjectRef::from_obj(mc.as_ref()))
        .collect()
}

/// The controller with all its watches (not yet running).
pub fn controller(client: Client, namespace: Option<&str>) -> Controller<MissionControl> {
    let controller = Controller::new(api::<MissionControl>(&client, namespace), watcher::Config::default())
        .with_config(ControllerConfig::default().concurrency(4));
    let store = controller.store();
    controller
        .owns(api::<Deployment>(&client, namespace), managed())
        .owns(api::<Service>(&client, namespace), managed())
        .owns(api::<ConfigMap>(&client, namespace), managed())
        .owns(api::<Job>(&client, namespace), managed())
        .watches(
            api::<Secret>(&client, namespace),
            watcher::Config::default(),
            move |secret| secret_dependents(&store, &secret),
        )
        .watches(api::<Pod>(&client, namespace), managed(), |pod: Pod| {
            let instance = pod.labels().get("app.kubernetes.io/instance").cloned();
            let namespace = pod.namespace();
            instance
                .zip(namespace)
                .map(|(name, ns)| ObjectRef::<MissionControl>::new(&name).within(&ns))
        })
}
