package dev.marquee.common.serving;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/** A bean or configuration that exists only when the gateway serves in the given {@link ServingMode}. */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Conditional(OnServingCondition.class)
public @interface ConditionalOnServing {
    ServingMode value();
}
