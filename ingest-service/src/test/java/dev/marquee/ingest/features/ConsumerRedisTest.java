package dev.marquee.ingest.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsumerRedisTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static InputStream replies(String s) {
        return new ByteArrayInputStream(b(s));
    }

    private static RespWrites threeCommands() {
        return new RespWrites()
                .call("PEXPIRE", b("u:ü"), b("100"))
                .calls("ZINCRBY", b("pop"), 2, List.of(b("1.5"), b("i1"), b("2.0"), b("i2")));
    }

    @Test
    void writesAreEncodedAsRedisReadsCommands() throws Exception {
        RespWrites w = threeCommands();
        assertThat(w.commands()).isEqualTo(3);
        String expected = "*3\r\n$7\r\nPEXPIRE\r\n$4\r\nu:ü\r\n$3\r\n100\r\n"
                + "*4\r\n$7\r\nZINCRBY\r\n$3\r\npop\r\n$3\r\n1.5\r\n$2\r\ni1\r\n"
                + "*4\r\n$7\r\nZINCRBY\r\n$3\r\npop\r\n$3\r\n2.0\r\n$2\r\ni2\r\n";
        assertThat(new String(w.encoded(), StandardCharsets.UTF_8)).isEqualTo(expected);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.writeTo(out);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void largeArgumentsGrowTheBuffer() {
        byte[] big = new byte[100_000];
        RespWrites w = new RespWrites().call("SET", b("k"), big);
        assertThat(w.encoded()).hasSize("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n".length() + 100_000 + 2);
    }

    @Test
    void aTransactionSucceedsWhenExecAnswersEveryCommand() throws Exception {
        InputStream in = replies("+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n:1\r\n$3\r\n1.5\r\n,2.5\r\n+OK\r\n");
        TransactionWriter.checkTransaction(in, 3);
        assertThat(in.read()).as("the next transaction's replies are left").isEqualTo('+');
    }

    @Test
    void aRefusedCommandFailsTheTransactionWithItsReason() {
        InputStream in = replies("+OK\r\n+QUEUED\r\n-OOM command not allowed when used memory > 'maxmemory'.\r\n"
                + "+QUEUED\r\n-EXECABORT Transaction discarded because of previous errors.\r\n");
        assertThatThrownBy(() -> TransactionWriter.checkTransaction(in, 3)).hasMessageStartingWith("OOM");
    }

    @Test
    void anErrorInsideExecFailsTheTransaction() {
        InputStream in = replies("+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:1\r\n"
                + "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        assertThatThrownBy(() -> TransactionWriter.checkTransaction(in, 2)).hasMessageStartingWith("WRONGTYPE");
    }

    @Test
    void repliesOutOfStepFailTheTransaction() {
        assertThatThrownBy(() -> TransactionWriter.checkTransaction(replies("+OK\r\n+QUEUED\r\n*1\r\n:1\r\n"), 2))
                .hasMessageContaining("QUEUED");
        assertThatThrownBy(() -> TransactionWriter.checkTransaction(replies("+OK\r\n+QUEUED\r\n*2\r\n:1\r\n:1\r\n"), 1))
                .hasMessageContaining("EXEC answered *2");
        assertThatThrownBy(() -> TransactionWriter.checkTransaction(replies(":1\r\n"), 1))
                .hasMessageContaining("expected +OK");
    }

    @Test
    void aConnectionClosedMidwayFails() {
        assertThatThrownBy(() -> TransactionWriter.checkTransaction(replies("+OK\r\n+QUEUED\r\n"), 2))
                .isInstanceOf(EOFException.class);
    }
}
