# sdatc-enhancer on a CUDA 12 + cuDNN 9 runtime (what ONNX Runtime's CUDA provider links; see
# docs/operations.md). The same image runs on CPU: the GPU ONNX Runtime jar falls back to CPU
# when SDATC_ENGINE_PROVIDER=cpu or no GPU is visible.

FROM eclipse-temurin:25-jdk-noble AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q -Pgpu dependency:go-offline || true
COPY proto proto
COPY src src
# -Pgpu: the onnxruntime_gpu jar (CUDA provider, also runs on CPU).
RUN ./mvnw -B -Pgpu -DskipTests package

FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH \
    SDATC_METRICS_PORT=9404 \
    SDATC_STATE_DIR=/var/lib/sdatc/state
COPY --from=eclipse-temurin:25-jre-noble /opt/java/openjdk /opt/java/openjdk
RUN useradd --system --uid 10001 --home-dir /var/lib/sdatc sdatc \
    && mkdir -p /var/lib/sdatc/state /var/lib/sdatc/javacpp \
    && chown -R sdatc /var/lib/sdatc
WORKDIR /app
COPY --from=build /src/target/sdatc-enhancer.jar /app/sdatc-enhancer.jar
COPY --from=build /src/target/lib /app/lib
USER sdatc
# Metrics and health (OpsServer.DEFAULT_PORT).
EXPOSE 9404
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", \
    "-XX:MaxRAMPercentage=75", "-Dorg.bytedeco.javacpp.cachedir=/var/lib/sdatc/javacpp", \
    "-jar", "/app/sdatc-enhancer.jar"]
CMD ["run"]
