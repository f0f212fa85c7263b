# kvstore standalone node.
#   docker build -t kvstore .
#   docker run --rm -p 8000:8000 kvstore
# Flags after the image name replace the default command, e.g.
#   docker run --rm -p 8080:8080 kvstore node --http-port 8080

# --- build: the shaded node jar ---
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Poms first, so the dependency layer is cached while only sources change.
COPY pom.xml ./
COPY kvstore-core/pom.xml kvstore-core/
COPY kvstore-net/pom.xml kvstore-net/
COPY kvstore-http/pom.xml kvstore-http/
COPY kvstore-examples/pom.xml kvstore-examples/
COPY jmh/pom.xml jmh/
RUN mvn -q -B -pl kvstore-examples -am dependency:go-offline || true
COPY . .
RUN mvn -q -B -DskipTests -pl kvstore-examples -am package

# --- run: a JRE and the jar ---
FROM eclipse-temurin:17-jre
RUN useradd --system --no-create-home --shell /usr/sbin/nologin kvstore
WORKDIR /app
COPY --from=build /src/kvstore-examples/target/kvstore-node.jar /app/kvstore-node.jar
USER kvstore
# HTTP API; cluster port (TCP for replication, UDP for gossip) = HTTP port + 1000.
EXPOSE 8000 9000/tcp 9000/udp
# The node binds 0.0.0.0 by default; SIGTERM (docker stop) stops it gracefully.
ENTRYPOINT ["java", "-jar", "/app/kvstore-node.jar"]
CMD ["node"]
