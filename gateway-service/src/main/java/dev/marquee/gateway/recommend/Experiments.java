package dev.marquee.gateway.recommend;

import dev.marquee.gateway.config.GatewayProperties;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.springframework.stereotype.Component;

/**
 * A/B bucketing: a user's arm is a pure function of the experiment name and the user id (SHA-256 of both mapped to
 * [0, 1), then the variants' shares in order), so every request of a user, on every gateway instance, gets the same
 * arm. Users outside every variant's share are in {@link #CONTROL}, served with the default list policy.
 */
@Component
public class Experiments {
    public static final String CONTROL = "control";

    /** What an arm changes: the list policy. */
    public record Arm(String name, double mmrLambda, int explorationSlots) {
    }

    private final GatewayProperties props;

    Experiments(GatewayProperties props) {
        this.props = props;
    }

    public Arm armOf(String userId) {
        double u = unit(props.experiment().name() + ":" + userId);
        double cumulative = 0;
        for (GatewayProperties.Variant v : props.experiment().variants()) {
            cumulative += v.share();
            if (u < cumulative) {
                return new Arm(v.name(), v.mmrLambda(), v.explorationSlots());
            }
        }
        return new Arm(CONTROL, props.mmrLambda(), props.explorationSlots());
    }

    /** A uniform number in [0, 1) from the key: the top 53 bits of its SHA-256. */
    static double unit(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return (ByteBuffer.wrap(digest).getLong() >>> 11) / (double) (1L << 53);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
