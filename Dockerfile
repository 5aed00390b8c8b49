# One image recipe for every service: docker build --build-arg MODULE=gateway-service .
# RUNTIME: the Java the service runs on (built for 17; docker-compose runs the gateway on 25, see README).
ARG RUNTIME=17
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
ARG MODULE
RUN ./mvnw -B -q -DskipTests -pl ${MODULE} -am install

FROM eclipse-temurin:${RUNTIME}-jre
ARG MODULE
WORKDIR /app
COPY --from=build /src/${MODULE}/target/*-exec.jar /app/service.jar
COPY models /app/models
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-jar", "/app/service.jar"]
