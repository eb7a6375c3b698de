# ferret in a container: a static (musl) binary on Alpine, with git for `scan git`, run as an
# unprivileged user.
#
#   docker build -t ferret .
#   docker run --rm -v "$PWD:/scan:ro" ferret scan dir /scan
#   docker run --rm -v "$PWD:/scan:ro" ferret scan git /scan
#
# The mounted tree is read-only: ferret never writes into what it scans.

FROM rust:1.95-alpine3.22 AS build
# Alpine's own packages, at the versions of the pinned Alpine release.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev cmake make perl
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY rules ./rules
RUN cargo build --release --locked \
    && install -m 0755 target/release/ferret /usr/local/bin/ferret \
    && /usr/local/bin/ferret --version

FROM alpine:3.22
# hadolint ignore=DL3018
RUN apk add --no-cache git ca-certificates \
    && addgroup -g 10001 ferret \
    && adduser -D -u 10001 -G ferret -h /home/ferret ferret
COPY --from=build /usr/local/bin/ferret /usr/local/bin/ferret
USER 10001:10001
WORKDIR /scan
ENTRYPOINT ["ferret"]
CMD ["--help"]
