# Runtime image of alb-asyncjob-operator. Build the jar first, then the image:
#   mvn -B -ntp -DskipTests package
#   docker build -t ghcr.io/albjobs/alb-asyncjob-operator:0.1.0 .
# Without Docker or a registry, scripts/image builds this same file with buildah on a base made
# from Debian packages and a jlink'ed Java 17 (BASE_IMAGE=localhost/...; docs/image.md).
# The jar is self-contained (shaded); the image only adds a JRE. Distroless: no shell, no package
# manager; "nonroot" runs as UID/GID 65532, the user the Helm chart requires (runAsNonRoot,
# runAsUser 65532, read-only root filesystem with an emptyDir at /tmp).
ARG BASE_IMAGE=gcr.io/distroless/java17-debian12:nonroot
FROM ${BASE_IMAGE}

ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="alb-asyncjob-operator" \
      org.opencontainers.image.description="Mirrors Alibaba Cloud ALB asynchronous jobs as AsyncJob custom resources" \
      org.opencontainers.image.source="https://github.com/albjobs/alb-asyncjob-operator" \
      org.opencontainers.image.version="${VERSION}"

WORKDIR /app
# Owned by root (mode from the build context, 0644): the runtime user can read it, not change it.
COPY operator/target/alb-asyncjob-operator.jar /app/alb-asyncjob-operator.jar

# Heap from the container memory limit; the chart sets the same through JAVA_TOOL_OPTIONS.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    LOG_FORMAT=json

USER 65532:65532
# /metrics, /healthz, /readyz (--http-port)
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/alb-asyncjob-operator.jar"]
