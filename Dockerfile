# One image recipe for every service: docker build --build-arg MODULE=gateway-service .
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
ARG MODULE
RUN ./mvnw -B -q -DskipTests -pl ${MODULE} -am install

FROM eclipse-temurin:17-jre
ARG MODULE
WORKDIR /app
COPY --from=build /src/${MODULE}/target/*-exec.jar /app/service.jar
COPY models /app/models
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-jar", "/app/service.jar"]
