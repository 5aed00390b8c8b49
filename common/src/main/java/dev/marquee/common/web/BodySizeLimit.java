package dev.marquee.common.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies before anything parses them ({@code marquee.web.max-body-size}, default 4MB): a declared
 * {@code Content-Length} over the cap is answered 413 with a problem naming {@code body} without reading a byte; a
 * body of unknown length stops being read at the cap ({@link BodyTooLargeException}, also 413). Paths under
 * {@code marquee.web.unlimited-body-paths} (the streaming imports) are not capped.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class BodySizeLimit extends OncePerRequestFilter {
    private final long maxBytes;
    private final List<String> unlimited;

    BodySizeLimit(@Value("${marquee.web.max-body-size:4MB}") DataSize maxBody,
                  @Value("${marquee.web.unlimited-body-paths:}") List<String> unlimited) {
        this.maxBytes = maxBody.toBytes();
        this.unlimited = unlimited.stream().filter(p -> !p.isBlank()).toList();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return unlimited.stream().anyMatch(path::startsWith);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            tooLarge(response, "body of " + declared + " bytes is over the limit of " + maxBytes + " bytes");
            return;
        }
        chain.doFilter(declared >= 0 ? request : new Capped(request, maxBytes), response);
    }

    /** Writes the 413 problem; the body is left unread (the connection closes after). */
    static void tooLarge(HttpServletResponse response, String detail) throws IOException {
        response.setHeader("Connection", "close");
        FilterProblems.write(response, ProblemAdvice.INVALID_REQUEST, 413, "Payload too large", "body", detail);
    }

    /** Thrown by a capped body at its limit; {@link ProblemAdvice} answers 413. */
    public static class BodyTooLargeException extends IOException {
        BodyTooLargeException(long max) {
            super("body is over the limit of " + max + " bytes");
        }
    }

    /** A request whose body stream ends in {@link BodyTooLargeException} past {@code max} bytes. */
    private static final class Capped extends HttpServletRequestWrapper {
        private final long max;
        private ServletInputStream stream;

        Capped(HttpServletRequest request, long max) {
            super(request);
            this.max = max;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long read;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        int n = in.read(buf, off, len);
                        if (n > 0) {
                            count(n);
                        }
                        return n;
                    }

                    private void count(int n) throws BodyTooLargeException {
                        read += n;
                        if (read > max) {
                            throw new BodyTooLargeException(max);
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
