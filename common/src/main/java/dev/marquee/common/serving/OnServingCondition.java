package dev.marquee.common.serving;

import java.util.Map;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@value ServingMode#PROPERTY} (or its default, {@value ServingMode#DEFAULT}) names the mode asked. */
class OnServingCondition implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnServing.class.getName());
        ServingMode wanted = (ServingMode) attributes.get("value");
        String value = context.getEnvironment().getProperty(ServingMode.PROPERTY, ServingMode.DEFAULT);
        return ServingMode.of(value) == wanted;
    }
}
