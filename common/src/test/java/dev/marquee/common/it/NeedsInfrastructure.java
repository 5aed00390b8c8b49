package dev.marquee.common.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An integration test against the real Kafka, Redis and Milvus, which {@code ./marquee test} starts (and says so with
 * {@code MARQUEE_INFRA=up}). Without them the test fails with a message, unless skipping is asked for explicitly with
 * {@code -Dmarquee.it.skip=true}: a build never passes by skipping integration tests silently.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(NeedsInfrastructure.Condition.class)
public @interface NeedsInfrastructure {

    /** Enabled with the servers; disabled when skipping was asked for; an error otherwise. */
    final class Condition implements ExecutionCondition {
        static final String SKIP_PROPERTY = "marquee.it.skip";

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return evaluate(System.getenv("MARQUEE_INFRA"), System.getProperty(SKIP_PROPERTY));
        }

        static ConditionEvaluationResult evaluate(String infra, String skip) {
            if ("up".equals(infra)) {
                return ConditionEvaluationResult.enabled("MARQUEE_INFRA=up");
            }
            if ("true".equals(skip)) {
                return ConditionEvaluationResult.disabled("integration test skipped as asked (-D" + SKIP_PROPERTY
                        + "=true)");
            }
            throw new ExtensionConfigurationException("this integration test needs the real Kafka, Redis and Milvus: "
                    + "run ./marquee test (it starts them and sets MARQUEE_INFRA=up), or skip integration tests "
                    + "explicitly with -D" + SKIP_PROPERTY + "=true");
        }
    }
}
