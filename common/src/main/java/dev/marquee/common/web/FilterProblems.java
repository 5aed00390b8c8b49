package dev.marquee.common.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * RFC 7807 problems written by servlet filters, which answer before Spring MVC (and {@link ProblemAdvice}) is reached:
 * the same shape, {@code {"type", "title", "status", "detail", "errors": [{"field", "message"}]}}.
 */
public final class FilterProblems {
    private FilterProblems() {
    }

    public static void write(HttpServletResponse response, URI type, int status, String title, String field,
                             String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/problem+json");
        String detail = field + ": " + message;
        response.getOutputStream().write(("{\"type\":\"" + type + "\",\"title\":\"" + escape(title) + "\",\"status\":"
                + status + ",\"detail\":\"" + escape(detail) + "\",\"errors\":[{\"field\":\"" + escape(field)
                + "\",\"message\":\"" + escape(message) + "\"}]}").getBytes(StandardCharsets.UTF_8));
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
