package dev.marquee.simulator;

import dev.marquee.common.access.ApiAccess;
import dev.marquee.common.web.BodySizeLimit;
import dev.marquee.common.web.OpenApiNullables;
import dev.marquee.common.web.ProblemAdvice;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;

@SpringBootApplication
@ConfigurationPropertiesScan
@Import({ProblemAdvice.class, BodySizeLimit.class, ApiAccess.class, OpenApiNullables.class})
public class SimulatorApplication {
    public static void main(String[] args) {
        SpringApplication.run(SimulatorApplication.class, args);
    }
}
