package dev.marquee.gateway.config;

import dev.marquee.common.serving.ServingMode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param retrievalUrl     base URL of retrieval-service
 * @param rankingUrl       base URL of ranking-service
 * @param retrievalTimeout past this, /recommend serves the popular list instead (default 200 ms: more than the
 *                         longest candidate source's budget, the stated interests' 150 ms, so that one source at
 *                         its budget costs that source's candidates, not all of them: FaultMatrixIT)
 * @param rankingTimeout   past this, /recommend serves retrieval order instead (default 100 ms)
 * @param candidates       how many candidates retrieval is asked for per request (default 100)
 * @param mmrLambda        maximal marginal relevance: {@code lambda * relevance - (1 - lambda) * similarity to what is
 *                         already in the list} (cosine of T5 vectors); 1 (the default) turns it off: with model
 *                         scores as compressed as today's, 0.9 already swaps relevant items for other topics, so
 *                         try it as an A/B variant first
 * @param explorationSlots the last slots of a list go to random candidates from the pool, so that the feedback loop
 *                         keeps learning about items the model would not show (default 1; 0 turns it off)
 * @param maxInFlight      most /recommend requests worked on at once (default 16, sized for a 2-core box: at 200
 *                         rps it turned 3,239 of 4,000 client timeouts into 94–189); one more is answered at once
 *                         from the popular list, flagged degraded ("overloaded"), instead of queueing behind the
 *                         others until its client gives up
 * @param popularCacheTtl  how long the overall popular list (the answer when retrieval is down or load is shed) is
 *                         reused from memory (default 1s; 0 reads Redis for every such answer)
 * @param serving          where the retrieval and ranking steps run ({@link ServingMode}; default
 *                         {@value ServingMode#DEFAULT}): {@code in-process}, the retrieval and ranking cores in this JVM
 *                         configured by {@code marquee.retrieval.*} and {@code marquee.ranking.*}; {@code remote}, the
 *                         two services over HTTP. The budgets apply in both (docs/architecture.md "Serving in-process")
 * @param experiment       A/B test: users are bucketed by a hash of the experiment name and their id into
 *                         variants, each of which may override the list policy; none configured = everyone "control"
 * @param circuitOpen      once nearly all of a step's recent calls were outages (timeouts, I/O; the rule is
 *                         {@code OutageBreakers}'), the step is skipped at once this long, then probed (default 1s)
 */
@Validated
@ConfigurationProperties("marquee.gateway")
public record GatewayProperties(
        @DefaultValue("http://127.0.0.1:8083") @NotBlank String retrievalUrl,
        @DefaultValue("http://127.0.0.1:8084") @NotBlank String rankingUrl,
        @DefaultValue("200ms") @NotNull Duration retrievalTimeout,
        @DefaultValue("100ms") @NotNull Duration rankingTimeout,
        @DefaultValue("100") @Min(1) @Max(500) int candidates,
        @DefaultValue("1.0") @DecimalMin("0.0") @DecimalMax("1.0") double mmrLambda,
        @DefaultValue("1") @Min(0) @Max(10) int explorationSlots,
        @DefaultValue("16") @Min(1) int maxInFlight,
        @DefaultValue("1s") @NotNull Duration popularCacheTtl,
        @DefaultValue(ServingMode.DEFAULT) @NotNull ServingMode serving,
        @DefaultValue @Valid Experiment experiment,
        @DefaultValue("1s") @NotNull Duration circuitOpen) {

    /**
     * @param name     salt of the bucketing: a new name reshuffles users (default "policy")
     * @param variants the arms with their traffic shares (summing to at most 1; the rest is "control", which uses the
     *                 settings above)
     */
    public record Experiment(@DefaultValue("policy") @NotBlank String name, @DefaultValue List<@Valid Variant> variants) {
        @AssertTrue(message = "variant shares must add up to at most 1")
        public boolean isSharesValid() {
            return variants.stream().mapToDouble(Variant::share).sum() <= 1.0 + 1e-9;
        }
    }

    /**
     * @param name             reported in responses, impressions and metrics
     * @param share            of users, 0 to 1
     * @param mmrLambda        this arm's {@code mmr-lambda}
     * @param explorationSlots this arm's {@code exploration-slots}
     */
    public record Variant(@NotBlank @Pattern(regexp = "^[A-Za-z0-9][A-Za-z0-9_.\\-]{0,31}$") String name,
                          @DecimalMin("0.0") @DecimalMax("1.0") double share,
                          @DecimalMin("0.0") @DecimalMax("1.0") double mmrLambda,
                          @Min(0) @Max(10) int explorationSlots) {
    }
}
