# Multi-stage build of the `klinik` binary. libpq and SQLite are compiled from source (bundled), so
# the build needs only a C compiler and the OpenSSL headers; the runtime only libssl.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libssl-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p klinik-api

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
