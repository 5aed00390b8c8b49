package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Requests the fuzzer found answered 500 or 503: each is now a 400 problem naming what is wrong. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@NeedsInfrastructure
class MalformedRequestsIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    @Autowired
    Environment env;

    @Test
    void aBatchWithANullEventIs400NamingIt() throws Exception {
        assertBadRequestNaming(send("/events/batch", "application/json", "{\"events\": [null]}"), "events[0]");
    }

    @Test
    void aBatchWithANullItemIs400NamingIt() throws Exception {
        assertBadRequestNaming(send("/items/batch", "application/json", "{\"items\": [null]}"), "items[0]");
    }

    @Test
    void aMultipartContentTypeWithoutABoundaryIs400NamingTheHeader() throws Exception {
        assertBadRequestNaming(send("/events", "multipart/form-data", "x"), "Content-Type");
    }

    private static void assertBadRequestNaming(HttpResponse<String> r, String field) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("errors").get(0).get("field").asString()).isEqualTo(field);
    }

    private HttpResponse<String> send(String path, String contentType, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.getProperty("local.server.port")
                        + path)).timeout(Duration.ofSeconds(30)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
