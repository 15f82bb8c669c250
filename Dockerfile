# Mission Control: one image holding both binaries, `mission-control` (the HTTP API) and
# `mission-control-operator`. The runtime stage is distroless in spirit: glibc, CA
# certificates and the two binaries on a scratch base; no shell, no package manager.
#
#   docker build -t mission-control:dev .
#   docker run --rm -p 8000:8000 mission-control:dev            # mission-control serve
#   docker run --rm mission-control:dev mission-control migrate
#   docker run --rm mission-control:dev mission-control-operator crd
#
# Works with the classic builder and with BuildKit (no BuildKit-only syntax).

# The binaries link the builder's glibc: keep both images on the same Debian release.
ARG RUST_IMAGE=rust:1.94-slim-bookworm
ARG DEBIAN_IMAGE=debian:bookworm-slim

# --- builder: compile both binaries ------------------------------------------------------
FROM ${RUST_IMAGE} AS builder
WORKDIR /src

# Dependencies first, from the manifests and stub sources only: this layer is rebuilt when
# Cargo.toml/Cargo.lock change, not on every source change.
COPY Cargo.toml Cargo.lock ./
COPY service/Cargo.toml service/
COPY service/telemetry/Cargo.toml service/telemetry/
COPY operator/Cargo.toml operator/
COPY tests/Cargo.toml tests/
RUN mkdir -p service/src service/telemetry/src operator/src tests/src tests/system \
    && echo 'fn main() {}' > service/src/main.rs \
    && echo 'fn main() {}' > operator/src/main.rs \
    && touch service/src/lib.rs service/telemetry/src/lib.rs operator/src/lib.rs tests/src/lib.rs tests/system/main.rs \
    && cargo build --profile dist --locked -p mission-control -p mission-control-operator \
    && rm -rf service/src service/telemetry/src operator/src

# `service` holds the shared telemetry crate (service/telemetry/) too.
COPY service service
COPY operator operator
# COPY keeps the files' original times, which may be older than the stub build: touch them
# so that cargo rebuilds the three crates instead of shipping the stubs.
RUN find service/src service/telemetry/src operator/src -name '*.rs' -exec touch {} + \
    && cargo build --profile dist --locked -p mission-control -p mission-control-operator \
    && mkdir -p /out/bin \
    && cp target/dist/mission-control target/dist/mission-control-operator /out/bin/

# --- rootfs: the few files the binaries need at run time ---------------------------------
FROM ${DEBIAN_IMAGE} AS rootfs
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=builder /out/bin/ /rootfs/usr/local/bin/
# The shared libraries the binaries link (glibc, libgcc_s, the loader), found by ldd so that
# the list follows the binaries and the architecture; then certificates, users and the
# directories the service writes to (DATA_DIR and /tmp), so the root filesystem can be
# read-only. Each binary is then started once inside the new tree as a smoke test.
RUN ldd /rootfs/usr/local/bin/mission-control /rootfs/usr/local/bin/mission-control-operator \
        | grep -o '/[^ ]*[.]so[^ ]*' | sort -u > /tmp/libs \
    && test -s /tmp/libs \
    && xargs -a /tmp/libs -I{} cp --parents -L {} /rootfs/ \
    && mkdir -p /rootfs/etc/ssl/certs /rootfs/tmp /rootfs/var/lib/mission-control /rootfs/home/nonroot \
    && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
    && printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > /rootfs/etc/passwd \
    && printf 'root:x:0:\nnonroot:x:65532:\n' > /rootfs/etc/group \
    && printf 'hosts: files dns\n' > /rootfs/etc/nsswitch.conf \
    && chmod 1777 /rootfs/tmp \
    && chown 65532:65532 /rootfs/var/lib/mission-control /rootfs/home/nonroot \
    && chroot /rootfs /usr/local/bin/mission-control --version \
    && chroot /rootfs /usr/local/bin/mission-control-operator --version

# --- runtime -----------------------------------------------------------------------------
FROM scratch AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="mission-control" \
      org.opencontainers.image.description="Mission Control API service and its Kubernetes operator (mission-control, mission-control-operator)" \
      org.opencontainers.image.source="https://github.com/mission-control/mission-control" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=rootfs /rootfs/ /
ENV PATH=/usr/local/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/var/lib/mission-control \
    LOG_FORMAT=json
USER 65532:65532
WORKDIR /var/lib/mission-control
EXPOSE 8000
# No ENTRYPOINT: the command names the binary (Kubernetes `command:` sets it anyway).
CMD ["mission-control", "serve"]
