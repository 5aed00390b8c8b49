package dev.marquee.simulator.web;

import dev.marquee.simulator.run.SimulatorRunner;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SimulatorController {
    private final SimulatorRunner runner;

    SimulatorController(SimulatorRunner runner) {
        this.runner = runner;
    }

    @Operation(summary = "What the simulator is doing and how much it has sent")
    @GetMapping("/simulator/status")
    SimulatorRunner.Status status() {
        return runner.status();
    }
}
