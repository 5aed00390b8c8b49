package dev.marquee.simulator.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** The part of the gateway's /recommend answer the simulator reads. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Recommendation(String requestId, List<Item> items, boolean degraded) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Item(int position, String itemId) {
    }

    public List<Item> items() {
        return items == null ? List.of() : items;
    }
}
