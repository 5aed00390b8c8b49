package dev.marquee.simulator.run;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ResponseStatus;

/** A run was asked for while another one is still going (stop it first). */
@ResponseStatus(HttpStatus.CONFLICT)
public class SimulatorBusyException extends RuntimeException {
    public SimulatorBusyException(String running) {
        super("the simulator is busy (" + running + "); POST /simulator/stop first");
    }
}
