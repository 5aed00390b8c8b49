package dev.marquee.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.retrieval.source.CandidateRetriever;
import dev.marquee.common.milvus.MilvusConnection;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.FaultGate;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Retrieval starts while Milvus hangs (accepts connections, never answers), serves without ANN at once meanwhile, and
 * connects when Milvus answers — the real Milvus behind a {@link FaultGate}.
 */
@SpringBootTest(properties = {"marquee.retrieval.milvus-connect-timeout=1s", "marquee.retrieval.milvus-reconnect=300ms"})
@NeedsInfrastructure
class HungMilvusIT {
    private static final FaultGate GATE = gate();

    @Autowired
    MilvusConnection milvus;
    @Autowired
    CandidateRetriever retriever;

    private static FaultGate gate() {
        URI real = URI.create(System.getenv().getOrDefault("MILVUS_URI", "http://127.0.0.1:19530"));
        return FaultGate.to(real.getHost(), real.getPort(), FaultGate.Mode.HUNG);
    }

    @DynamicPropertySource
    static void milvusBehindTheGate(DynamicPropertyRegistry registry) {
        registry.add("marquee.retrieval.milvus-uri", () -> "http://127.0.0.1:" + GATE.port());
    }

    @AfterAll
    static void closeGate() throws Exception {
        GATE.close();
    }

    @Test
    void startsWhileMilvusHangsServesWithoutItAndConnectsWhenItAnswers() throws Exception {
        // started (this test runs); after more than one connect timeout there is still no client
        Thread.sleep(1500);
        assertThat(milvus.connected()).isFalse();
        long t0 = System.nanoTime();
        assertThatThrownBy(milvus::client).isInstanceOf(MilvusConnection.MilvusUnavailableException.class)
                .hasMessageContaining("not connected");
        CandidatesResponse r = retriever.retrieve("hung-milvus-user", 20);
        assertThat((System.nanoTime() - t0) / 1e6).as("ms to answer while Milvus hangs").isLessThan(1000);
        assertThat(r.sources()).isNotEmpty();

        GATE.set(FaultGate.Mode.OPEN);
        assertThat(milvus.awaitConnected(Duration.ofSeconds(30))).as("connected once Milvus answers").isTrue();
        assertThat(milvus.client().listCollections().getCollectionNames()).isNotNull();
    }
}
