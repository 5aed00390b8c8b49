package dev.marquee.embedding.encoder;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** {@code marquee-model.json}, written by tools/t5/export_t5.py beside the TorchScript model. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelInfo(String modelId, int dimension, String pooling, boolean normalize, int maxLength,
                        long padTokenId, long eosTokenId) {
}
