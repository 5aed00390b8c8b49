package dev.marquee.ranking.web;

import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.common.serving.Ranking;
import dev.marquee.ranking.model.ModelMetadata;
import dev.marquee.ranking.model.ModelRegistry;
import dev.marquee.ranking.model.RankingModel;
import dev.marquee.ranking.train.ModelTrainer;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class RankingController {
    private final Ranking ranking;
    private final ModelTrainer trainer;
    private final ModelRegistry registry;

    RankingController(Ranking ranking, ModelTrainer trainer, ModelRegistry registry) {
        this.ranking = ranking;
        this.trainer = trainer;
        this.registry = registry;
    }

    @Operation(summary = "Score candidates for a user with the champion model, best first (503 if no model yet)")
    @PostMapping("/rank")
    RankResponse rank(@Valid @RequestBody RankRequest request) {
        return ranking.rank(request, null);
    }

    @Operation(summary = "Train a challenger now; it is promoted if not worse than the champion")
    @PostMapping("/models/train")
    ModelTrainer.Outcome train() {
        return trainer.trainAndMaybePromote();
    }

    @Operation(summary = "Metadata of the model being served (404 if none)")
    @GetMapping("/models/champion")
    ResponseEntity<ModelMetadata> champion() {
        return ResponseEntity.of(registry.champion().map(RankingModel::metadata));
    }
}
