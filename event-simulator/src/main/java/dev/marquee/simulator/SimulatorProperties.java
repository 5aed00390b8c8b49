package dev.marquee.simulator;

import dev.marquee.simulator.world.ClickModel;
import dev.marquee.simulator.world.SessionModel;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The simulator's settings ({@code marquee.simulator.*}); every one has a default.
 *
 * @param autoStart      at startup run catalog, wait for embeddings, backfill, train a first model, then
 *                       {@code autoStream} (default true)
 * @param autoStream     what follows the first model in the auto-start flow: {@code live} (default) or
 *                       {@code closed-loop}
 * @param seed           the world and every decision are a function of the seed (default 7)
 * @param itemsPerTopic  catalog size is topics x this (default 40, 8 topics)
 * @param users          simulated users (default 200)
 * @param idPrefix       prepended to every id the simulator makes (default none)
 * @param embeddingWait  how long to wait for the catalog to be embedded, and for services still starting (default 5m)
 * @param ingestUrl      ingest-service (default http://127.0.0.1:8081)
 * @param embeddingUrl   embedding-service (default http://127.0.0.1:8082)
 * @param rankingUrl     ranking-service (default http://127.0.0.1:8084)
 * @param gatewayUrl     gateway-service, for the closed loop (default http://127.0.0.1:8080)
 * @param allowedHosts   the only hosts the URLs may name (default 127.0.0.1, localhost, ::1): simulated traffic never
 *                       leaves the machine unless this is widened on purpose
 * @param clicks         the click model
 * @param sessions       how activity is grouped into sessions
 * @param backfill       the backfill mode
 * @param live           the open-loop live stream
 * @param closedLoop     the closed loop through the gateway
 */
@Validated
@ConfigurationProperties("marquee.simulator")
public record SimulatorProperties(
        @DefaultValue("true") boolean autoStart,
        @DefaultValue("live") @NotNull AutoStream autoStream,
        @DefaultValue("7") long seed,
        @DefaultValue("40") @Min(1) @Max(100_000) int itemsPerTopic,
        @DefaultValue("200") @Min(1) @Max(1_000_000) int users,
        @DefaultValue("") @Pattern(regexp = "^([A-Za-z0-9][A-Za-z0-9_.:\\-]{0,15})?$",
                message = "must be empty or 1-16 id characters") String idPrefix,
        @DefaultValue("5m") @NotNull Duration embeddingWait,
        @DefaultValue("http://127.0.0.1:8081") @NotBlank String ingestUrl,
        @DefaultValue("http://127.0.0.1:8082") @NotBlank String embeddingUrl,
        @DefaultValue("http://127.0.0.1:8084") @NotBlank String rankingUrl,
        @DefaultValue("http://127.0.0.1:8080") @NotBlank String gatewayUrl,
        @DefaultValue({"127.0.0.1", "localhost", "::1"}) @NotEmpty List<String> allowedHosts,
        @DefaultValue @Valid Clicks clicks,
        @DefaultValue @Valid Sessions sessions,
        @DefaultValue @Valid Backfill backfill,
        @DefaultValue @Valid Live live,
        @DefaultValue @Valid ClosedLoop closedLoop) {

    public enum AutoStream { LIVE, CLOSED_LOOP }

    /** Every URL is http(s) on one of the allowed hosts. */
    @AssertTrue(message = "ingest, embedding, ranking and gateway URLs must be http(s) URLs on one of allowedHosts")
    public boolean isUrlsAllowed() {
        return allowedHosts != null && List.of(nullSafe(ingestUrl), nullSafe(embeddingUrl), nullSafe(rankingUrl),
                nullSafe(gatewayUrl)).stream().allMatch(this::allowed);
    }

    @AssertTrue(message = "embeddingWait must be positive")
    public boolean isEmbeddingWaitPositive() {
        return embeddingWait == null || positive(embeddingWait);
    }

    private boolean allowed(String url) {
        try {
            URI uri = URI.create(url);
            String host = uri.getHost();
            if (host == null || uri.getScheme() == null
                    || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
                return false;
            }
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            return allowedHosts.stream().anyMatch(h -> h.equalsIgnoreCase(bare));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String nullSafe(String s) {
        return s == null ? "" : s;
    }

    static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    /**
     * See {@link ClickModel}.
     *
     * @param positionBias  eta in {@code 1 / (1 + position)^eta}, the chance a position is looked at (default 1.0)
     * @param clickFloor    click chance of an examined item the user does not care for (default 0.02)
     * @param clickCeiling  click chance of an examined item of the user's favourite topic and top appeal (default 0.5)
     * @param noise         deviation of the Gaussian noise on the perceived affinity (default 0.1)
     * @param cartRate      chance of add-to-cart after a click, times the affinity (default 0.3)
     * @param purchaseRate  chance of buying what was added to the cart (default 0.4)
     * @param ratingRate    chance of rating a clicked item, 0.5-5 stars following the affinity (default 0.1)
     */
    public record Clicks(
            @DefaultValue("1.0") @DecimalMin("0.0") @DecimalMax("5.0") double positionBias,
            @DefaultValue("0.02") @DecimalMin("0.0") @DecimalMax("1.0") double clickFloor,
            @DefaultValue("0.5") @DecimalMin("0.0") @DecimalMax("1.0") double clickCeiling,
            @DefaultValue("0.1") @DecimalMin("0.0") @DecimalMax("2.0") double noise,
            @DefaultValue("0.3") @DecimalMin("0.0") @DecimalMax("1.0") double cartRate,
            @DefaultValue("0.4") @DecimalMin("0.0") @DecimalMax("1.0") double purchaseRate,
            @DefaultValue("0.1") @DecimalMin("0.0") @DecimalMax("1.0") double ratingRate) {

        @AssertTrue(message = "clickFloor must not exceed clickCeiling")
        public boolean isFloorBelowCeiling() {
            return clickFloor <= clickCeiling;
        }

        public ClickModel toModel() {
            return new ClickModel(positionBias, clickFloor, clickCeiling, noise, cartRate, purchaseRate, ratingRate);
        }
    }

    /**
     * See {@link SessionModel}.
     *
     * @param meanSteps       mean number of steps (a list, or an organic interaction) per session (default 4)
     * @param anonymousShare  share of sessions sent without a session id (default 0.2)
     * @param idleGap         in a stream, a user idle this long (simulated time) starts a new session (default 30m)
     * @param browseShare     share of steps that are organic interactions rather than a list (default 0.3)
     */
    public record Sessions(
            @DefaultValue("4") @DecimalMin("1.0") @DecimalMax("1000") double meanSteps,
            @DefaultValue("0.2") @DecimalMin("0.0") @DecimalMax("1.0") double anonymousShare,
            @DefaultValue("30m") @NotNull Duration idleGap,
            @DefaultValue("0.3") @DecimalMin("0.0") @DecimalMax("1.0") double browseShare) {

        @AssertTrue(message = "idleGap must be positive")
        public boolean isIdleGapPositive() {
            return idleGap == null || positive(idleGap);
        }

        public SessionModel toModel() {
            return new SessionModel(meanSteps, anonymousShare, idleGap, browseShare);
        }
    }

    /**
     * History sent before going live.
     *
     * @param perUser      interactions (everything but impressions) per user (default 20)
     * @param window       timestamps are spread over this window ending now (default 24h)
     * @param listSize     items per made-up list (default 10)
     * @param relevance    chance a slot of a made-up list is drawn from the user's taste rather than at random
     *                     (default 0.3)
     * @param impressions  send an impression per shown item (with request id and position) before the clicks
     *                     (default true)
     */
    public record Backfill(
            @DefaultValue("20") @Min(0) @Max(10_000) int perUser,
            @DefaultValue("24h") @NotNull Duration window,
            @DefaultValue("10") @Min(1) @Max(100) int listSize,
            @DefaultValue("0.3") @DecimalMin("0.0") @DecimalMax("1.0") double relevance,
            @DefaultValue("true") boolean impressions) {

        @AssertTrue(message = "window must be positive")
        public boolean isWindowPositive() {
            return window == null || positive(window);
        }
    }

    /**
     * The open-loop stream: users act on made-up lists (as in the backfill) at a fixed event rate.
     *
     * @param rate         events per second (default 5)
     * @param duration     the stream stops by itself after this (default 8h); it also stops after
     *                     {@code rate x duration} events
     * @param listSize     items per made-up list (default 10)
     * @param relevance    as in the backfill (default 0.3)
     * @param impressions  as in the backfill (default true)
     */
    public record Live(
            @DefaultValue("5") @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("100000") double rate,
            @DefaultValue("8h") @NotNull Duration duration,
            @DefaultValue("10") @Min(1) @Max(100) int listSize,
            @DefaultValue("0.3") @DecimalMin("0.0") @DecimalMax("1.0") double relevance,
            @DefaultValue("true") boolean impressions) {

        @AssertTrue(message = "duration must be positive")
        public boolean isDurationPositive() {
            return duration == null || positive(duration);
        }
    }

    /**
     * The closed loop: per simulated request, GET /recommend for a user, then post the clicks, add-to-carts, purchases
     * and ratings the latent user makes on that list (never impressions: the gateway logs those).
     *
     * @param k         items asked per request (default 10)
     * @param rate      requests per second at most (default 5)
     * @param requests  stop after this many requests (default 10000)
     * @param duration  stop after this long (default 1h)
     */
    public record ClosedLoop(
            @DefaultValue("10") @Min(1) @Max(100) int k,
            @DefaultValue("5") @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("10000") double rate,
            @DefaultValue("10000") @Min(1) @Max(10_000_000) int requests,
            @DefaultValue("1h") @NotNull Duration duration) {

        @AssertTrue(message = "duration must be positive")
        public boolean isDurationPositive() {
            return duration == null || positive(duration);
        }
    }
}
