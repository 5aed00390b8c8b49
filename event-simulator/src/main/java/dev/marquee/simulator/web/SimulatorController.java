package dev.marquee.simulator.web;

import dev.marquee.simulator.run.SimulatorRunner;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Status and triggers of the simulator's modes; one run at a time (409 while one is going). */
@RestController
@RequestMapping("/simulator")
class SimulatorController {
    private final SimulatorRunner runner;

    SimulatorController(SimulatorRunner runner) {
        this.runner = runner;
    }

    @Operation(summary = "What the simulator is doing and how much it has sent (closed loop: shown, clicks, CTR)")
    @GetMapping("/status")
    SimulatorRunner.Status status() {
        return runner.status();
    }

    @Operation(summary = "Send the world's catalog to ingest")
    @PostMapping("/catalog")
    @ResponseStatus(HttpStatus.ACCEPTED)
    SimulatorRunner.Status catalog() {
        return runner.startCatalog();
    }

    @Operation(summary = "Send a history: per user, sessions of made-up lists with impressions and clicks, spread "
            + "over a past window; fields left out take the configured defaults")
    @PostMapping("/backfill")
    @ResponseStatus(HttpStatus.ACCEPTED)
    SimulatorRunner.Status backfill(@Valid @RequestBody(required = false) BackfillRequest request) {
        return runner.startBackfill(BackfillRequest.orEmpty(request).settings(runner.backfillDefaults()));
    }

    @Operation(summary = "Stream events at a rate for a bounded duration (open loop, made-up lists)")
    @PostMapping("/live")
    @ResponseStatus(HttpStatus.ACCEPTED)
    SimulatorRunner.Status live(@Valid @RequestBody(required = false) LiveRequest request) {
        return runner.startLive(LiveRequest.orEmpty(request).settings(runner.liveDefaults()));
    }

    @Operation(summary = "Closed loop: ask the gateway for lists and post what the latent users do with them")
    @PostMapping("/closed-loop")
    @ResponseStatus(HttpStatus.ACCEPTED)
    SimulatorRunner.Status closedLoop(@Valid @RequestBody(required = false) ClosedLoopRequest request) {
        return runner.startClosedLoop(ClosedLoopRequest.orEmpty(request).settings(runner.closedLoopDefaults()));
    }

    @Operation(summary = "Stop the current run")
    @PostMapping("/stop")
    SimulatorRunner.Status stop() {
        return runner.stop();
    }
}
