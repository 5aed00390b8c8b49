package dev.marquee.retrieval.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The refresh-ahead policy of ANN answers, on a clock of the test's own; background searches run when released. */
class AnnAnswersTest {
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration MAX_AGE = Duration.ofSeconds(120);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    /** Every search, in order: the query and the thread it ran on ("caller" or "background"). */
    private final List<String> searches = new ArrayList<>();
    /** Background work, run only by {@link #runBackground()}. */
    private final List<Runnable> background = new ArrayList<>();
    private final Executor executor = background::add;
    private volatile boolean inBackground;
    private volatile boolean milvusDown;
    /** The catalog version searches see; unknown unless a test sets one. */
    private final AtomicLong catalog = new AtomicLong(CatalogVersion.UNKNOWN);
    private final AnnAnswers<String, String> answers = answersWithTtl(TTL);

    /** Answers of {@link #search}, refreshed on the background executor, with the given ttl and {@link #MAX_AGE}. */
    private AnnAnswers<String, String> answersWithTtl(Duration ttl) {
        return new AnnAnswers<>(ttl, MAX_AGE, Duration.ZERO, 100, executor, nanos::get, catalog::get, this::search,
                q -> CompletableFuture.supplyAsync(() -> search(q), executor));
    }

    private String search(String q) {
        if (milvusDown) {
            throw new IllegalStateException("Milvus unavailable");
        }
        searches.add(q + "@" + (inBackground ? "background" : "caller"));
        return q + "#" + searches.size();
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private void runBackground() {
        inBackground = true;
        List<Runnable> work = List.copyOf(background);
        background.clear();
        work.forEach(Runnable::run);
        inBackground = false;
    }

    @Test
    void getIfPresentServesAnAnswerInMemoryAndNeverSearchesOnTheCallersThread() {
        assertThat(answers.getIfPresent("q")).isNull();
        assertThat(searches).isEmpty();
        answers.get("q");
        advance(Duration.ofSeconds(31)); // past the TTL: served while a refresh runs, as get does

        assertThat(answers.getIfPresent("q")).isEqualTo("q#1");
        runBackground();
        assertThat(searches).containsExactly("q@caller", "q@background");

        advance(MAX_AGE.multipliedBy(2)); // past its (jittered) max age: get would search
        assertThat(answers.getIfPresent("q")).isNull();
        assertThat(searches).containsExactly("q@caller", "q@background");
    }

    @Test
    void anAnswerIsReusedWithinTheTtlWithoutASearch() {
        assertThat(answers.get("q")).isEqualTo("q#1");
        advance(Duration.ofSeconds(29));
        assertThat(answers.get("q")).isEqualTo("q#1");
        runBackground();
        assertThat(searches).containsExactly("q@caller");
    }

    @Test
    void pastTheTtlTheAnswerIsServedAtOnceAndSearchedAgainInTheBackground() {
        answers.get("q");
        advance(Duration.ofSeconds(31));

        assertThat(answers.get("q")).isEqualTo("q#1"); // the caller does not wait for Milvus
        assertThat(searches).containsExactly("q@caller");
        runBackground();

        assertThat(searches).containsExactly("q@caller", "q@background");
        assertThat(answers.get("q")).isEqualTo("q#2");
    }

    @Test
    void anAnswerPastItsMaxAgeIsNeverServedButSearchedOnTheCallersThread() {
        answers.get("q");
        advance(MAX_AGE.multipliedBy(13).dividedBy(10)); // past the +20 % jitter

        assertThat(answers.get("q")).isEqualTo("q#2");
        assertThat(searches).containsExactly("q@caller", "q@caller");
    }

    @Test
    void aRefreshedAnswerLivesAnotherMaxAgeFromItsRefresh() {
        answers.get("q");
        advance(Duration.ofSeconds(60)); // under 0.8 x max age: still served, and refreshed
        answers.get("q");
        runBackground();
        advance(Duration.ofSeconds(90)); // 150 s after the first search (past 1.2 x max age), 90 s after the refresh

        assertThat(answers.get("q")).isEqualTo("q#2");
        assertThat(searches).containsExactly("q@caller", "q@background");
    }

    @Test
    void aFailedRefreshKeepsServingTheAnswerUntilItsMaxAge() {
        answers.get("q");
        advance(Duration.ofSeconds(31));
        milvusDown = true;
        answers.get("q");
        runBackground();

        assertThat(answers.get("q")).isEqualTo("q#1");
        advance(MAX_AGE.multipliedBy(13).dividedBy(10));
        assertThatThrownBy(() -> answers.get("q")).hasMessageContaining("Milvus unavailable");
    }

    @Test
    void differentQueriesHaveTheirOwnAnswers() {
        assertThat(answers.get("a")).isEqualTo("a#1");
        assertThat(answers.get("b")).isEqualTo("b#2");
        assertThat(answers.get("a")).isEqualTo("a#1");
    }

    @Test
    void aMaxAgeShorterThanTheTtlIsRefused() {
        assertThatThrownBy(() -> new AnnAnswers<String, String>(TTL, Duration.ofSeconds(10), Duration.ZERO, 10,
                executor, nanos::get, catalog::get, q -> q, CompletableFuture::completedFuture))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRefreshMayBeAnsweredLaterByTheRefreshFunctionMeanwhileTheOldAnswerIsServed() {
        List<CompletableFuture<String>> pending = new ArrayList<>();
        AnnAnswers<String, String> batched = new AnnAnswers<>(TTL, MAX_AGE, Duration.ZERO, 100, executor, nanos::get,
                catalog::get, q -> q + "#searched", q -> {
                    CompletableFuture<String> f = new CompletableFuture<>();
                    pending.add(f);
                    return f;
                });
        assertThat(batched.get("q")).isEqualTo("q#searched");
        advance(Duration.ofSeconds(31));

        assertThat(batched.get("q")).isEqualTo("q#searched");
        assertThat(pending).hasSize(1);
        assertThat(batched.get("q")).isEqualTo("q#searched"); // one refresh in flight per query
        assertThat(pending).hasSize(1);
        pending.get(0).complete("q#refreshed");

        assertThat(batched.get("q")).isEqualTo("q#refreshed");
    }

    @Test
    void refreshesOfAnswersCachedTogetherStartAtRandomMomentsWithinTheSpread() throws InterruptedException {
        Duration spread = Duration.ofMillis(300);
        ConcurrentLinkedQueue<Long> started = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Runnable> refreshing = new ConcurrentLinkedQueue<>();
        AnnAnswers<String, String> spreadOut = new AnnAnswers<>(TTL, MAX_AGE, spread, 100, Runnable::run, nanos::get,
                catalog::get, q -> q + "#searched", q -> {
                    started.add(System.nanoTime());
                    CompletableFuture<String> answer = new CompletableFuture<>();
                    refreshing.add(() -> answer.complete(q + "#refreshed")); // answered once all have started
                    return answer;
                });
        int queries = 20;
        for (int i = 0; i < queries; i++) {
            spreadOut.get("q" + i);
        }
        advance(Duration.ofSeconds(31));
        long asked = System.nanoTime();
        for (int i = 0; i < queries; i++) {
            assertThat(spreadOut.get("q" + i)).isEqualTo("q" + i + "#searched"); // served while its refresh waits
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (started.size() < queries && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        assertThat(started).hasSize(queries);
        long first = started.stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = started.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(last - asked).as("every refresh started within the spread (and some scheduling slack)")
                .isLessThan(spread.toNanos() + Duration.ofMillis(500).toNanos());
        assertThat(last - first).as("not all at once: 20 draws in 300 ms spanning under 100 ms is a 1e-8 chance")
                .isGreaterThan(Duration.ofMillis(100).toNanos());
        refreshing.forEach(Runnable::run);
        assertThat(spreadOut.get("q0")).isEqualTo("q0#refreshed");
    }

    @Test
    void aNegativeRefreshSpreadIsRefused() {
        assertThatThrownBy(() -> new AnnAnswers<String, String>(TTL, MAX_AGE, Duration.ofSeconds(-1), 10, executor,
                nanos::get, catalog::get, q -> q, CompletableFuture::completedFuture)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void whileTheCatalogVersionStaysTheAnswerIsKeptPastTheTtlWithoutASearch() {
        catalog.set(7);
        AnnAnswers<String, String> shortTtl = answersWithTtl(Duration.ofSeconds(10));
        shortTtl.get("q");
        for (int round = 0; round < 5; round++) { // 55 s: five times past the ttl, under half the max age
            advance(Duration.ofSeconds(11));
            assertThat(shortTtl.get("q")).isEqualTo("q#1");
            runBackground();
        }

        assertThat(shortTtl.get("q")).isEqualTo("q#1");
        assertThat(searches).containsExactly("q@caller");
    }

    @Test
    void aNewCatalogVersionHasTheAnswerSearchedAgainAfterTheTtl() {
        catalog.set(7);
        answers.get("q");
        advance(Duration.ofSeconds(31));
        answers.get("q");
        runBackground();
        catalog.set(8);
        advance(Duration.ofSeconds(31));

        assertThat(answers.get("q")).isEqualTo("q#1"); // served at once, searched in the background
        runBackground();
        assertThat(searches).containsExactly("q@caller", "q@background");
        assertThat(answers.get("q")).isEqualTo("q#2");
    }

    @Test
    void answersKeptForAnUnchangedCatalogAreSearchedAgainByTheirMaxAgeAtMomentsDrawnApart() {
        catalog.set(7);
        AnnAnswers<String, String> shortTtl = answersWithTtl(Duration.ofSeconds(10));
        int queries = 50;
        for (int i = 0; i < queries; i++) {
            shortTtl.get("q" + i); // searched together, as after a start
        }
        Map<String, Integer> firstSearchedAgain = new HashMap<>();
        for (int round = 1; round <= 11; round++) { // every 11 s, to 121 s
            advance(Duration.ofSeconds(11));
            for (int i = 0; i < queries; i++) {
                shortTtl.get("q" + i);
            }
            runBackground();
            for (String s : searches) {
                if (s.endsWith("@background")) {
                    firstSearchedAgain.putIfAbsent(s.substring(0, s.indexOf('@')), round);
                }
            }
        }

        assertThat(firstSearchedAgain).as("every answer searched again by its max age").hasSize(queries);
        assertThat(firstSearchedAgain.values()).as("none before half its max age").allMatch(round -> round >= 6);
        assertThat(new HashSet<>(firstSearchedAgain.values())).as("not all in one wave: 50 draws over 5 rounds")
                .hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void anAnswerSearchedWhileTheVersionWasUnknownIsSearchedAgainAfterTheTtl() {
        answers.get("q"); // unknown: e.g. a write not yet visible to every search, or Redis unreadable
        catalog.set(7);
        advance(Duration.ofSeconds(31));
        answers.get("q");
        runBackground();

        assertThat(searches).containsExactly("q@caller", "q@background");
    }
}
