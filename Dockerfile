# Multi-stage build of the `klinik` binary. libpq and SQLite are compiled from source (bundled), so
# the build needs only a C compiler and the OpenSSL headers; the runtime only libssl.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, against empty crates, so that a source change rebuilds only the workspace.
COPY Cargo.toml Cargo.lock ./
COPY domain/Cargo.toml domain/
COPY persistence/Cargo.toml persistence/
COPY app/Cargo.toml app/
COPY api/Cargo.toml api/
COPY tests/Cargo.toml tests/
RUN for crate in domain persistence app api; do mkdir -p $crate/src && touch $crate/src/lib.rs; done \
    && echo 'fn main() {}' > api/src/main.rs && mkdir -p tests/integration && touch tests/integration/main.rs \
    && cargo build --release --locked -p klinik-api \
    && rm -rf domain/src persistence/src app/src api/src \
    && rm -f target/release/klinik target/release/deps/klinik* target/release/deps/libklinik*
COPY . .
# COPY keeps the sources' own modification times, older than the stubs built above: touch them so
# that cargo rebuilds the workspace crates instead of taking the stubs as fresh.
RUN find domain persistence app api -name '*.rs' -exec touch {} + \
    && cargo build --release --locked -p klinik-api

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libssl3 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /var/lib/klinik klinik \
    && mkdir -p /var/lib/klinik && chown klinik /var/lib/klinik
COPY --from=build /src/target/release/klinik /usr/local/bin/klinik
USER klinik
WORKDIR /var/lib/klinik
ENV KLINIK_BIND=0.0.0.0:8080 KLINIK_DATA_DIR=/var/lib/klinik KLINIK_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["klinik"]
CMD ["serve"]
