package dev.marquee.common.web;

import io.swagger.v3.oas.models.media.Schema;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Says in each service's OpenAPI document that a property not marked required may be {@code null} (a list served
 * without a model has {@code "modelVersion": null}, an idle reindex no collection): the responses then match their own
 * schema, which the fuzz run (schemathesis, {@code ./marquee fuzz}) checks. Numbers and booleans are Java primitives in
 * our DTOs and never null; references to other schemas are left as they are.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiNullables {
    private static final Set<String> NEVER_NULL = Set.of("integer", "number", "boolean");

    @Bean
    OpenApiCustomizer optionalPropertiesMayBeNull() {
        return openApi -> {
            if (openApi.getComponents() == null || openApi.getComponents().getSchemas() == null) {
                return;
            }
            for (Schema<?> schema : openApi.getComponents().getSchemas().values()) {
                if (schema.getProperties() == null) {
                    continue;
                }
                List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
                schema.getProperties().forEach((name, property) -> {
                    if (!required.contains(name)) {
                        mayBeNull(property);
                    }
                });
            }
        };
    }

    private static void mayBeNull(Schema<?> property) {
        if (property.get$ref() != null) {
            return;
        }
        Set<String> types = property.getTypes() != null ? new LinkedHashSet<>(property.getTypes())
                : property.getType() != null ? new LinkedHashSet<>(List.of(property.getType())) : null;
        if (types == null || types.isEmpty() || types.stream().anyMatch(NEVER_NULL::contains)) {
            return;
        }
        types.add("null");
        property.setTypes(types);
    }
}
