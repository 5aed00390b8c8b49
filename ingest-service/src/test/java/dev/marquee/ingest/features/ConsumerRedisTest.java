package dev.marquee.ingest.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsumerRedisTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ConsumerRedis.Writes twoCommands() {
        return new ConsumerRedis.Writes()
                .call("PEXPIRE", b("u:ü"), b("100"))
                .calls("ZINCRBY", b("pop"), 2, List.of(b("1.5"), b("i1"), b("2.0"), b("i2")));
    }

    @Test
    void writesAreEncodedAsRedisReadsCommands() {
        ConsumerRedis.Writes w = twoCommands();
        assertThat(w.commands()).isEqualTo(3);
        assertThat(new String(w.encoded(), StandardCharsets.UTF_8)).isEqualTo(
                "*3\r\n$7\r\nPEXPIRE\r\n$4\r\nu:ü\r\n$3\r\n100\r\n"
                        + "*4\r\n$7\r\nZINCRBY\r\n$3\r\npop\r\n$3\r\n1.5\r\n$2\r\ni1\r\n"
                        + "*4\r\n$7\r\nZINCRBY\r\n$3\r\npop\r\n$3\r\n2.0\r\n$2\r\ni2\r\n");
    }

    @Test
    void largeArgumentsGrowTheBuffer() {
        byte[] big = new byte[100_000];
        ConsumerRedis.Writes w = new ConsumerRedis.Writes().call("SET", b("k"), big);
        assertThat(w.encoded()).hasSize("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n".length() + 100_000 + 2);
    }

    @Test
    void transactionIsWrittenOnceWithinMultiAndExec() {
        ConsumerRedis.Transaction tx = new ConsumerRedis.Transaction(twoCommands());
        List<ConsumerRedis.Reply> replies = tx.replies();
        assertThat(replies).hasSize(5); // MULTI, 3 queued, EXEC
        ByteBuf out = Unpooled.buffer();
        replies.forEach(r -> r.encode(out));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("*1\r\n$5\r\nMULTI\r\n"
                + new String(twoCommands().encoded(), StandardCharsets.UTF_8) + "*1\r\n$4\r\nEXEC\r\n");
    }

    @Test
    void succeedsWhenExecAnswersEveryCommand() {
        ConsumerRedis.Transaction tx = new ConsumerRedis.Transaction(twoCommands());
        List<ConsumerRedis.Reply> r = tx.replies();
        r.forEach(x -> x.encode(Unpooled.buffer()));
        r.get(0).set(ByteBuffer.wrap(b("OK")));
        for (int i = 0; i < 4; i++) {
            r.get(i).complete();
        }
        assertThat(tx.done).isNotDone();
        ConsumerRedis.Reply exec = r.get(4);
        exec.multi(3);
        exec.set(1L);
        exec.set(1.5);
        exec.set(ByteBuffer.wrap(b("2")));
        exec.complete();
        assertThat(tx.done).isCompleted();
    }

    @Test
    void failsWhenACommandIsRefused() {
        ConsumerRedis.Transaction tx = new ConsumerRedis.Transaction(twoCommands());
        List<ConsumerRedis.Reply> r = tx.replies();
        r.forEach(x -> x.encode(Unpooled.buffer()));
        r.get(0).complete();
        r.get(1).setError("OOM command not allowed when used memory > 'maxmemory'.");
        r.get(1).complete();
        r.get(2).complete();
        r.get(3).complete();
        r.get(4).setError("EXECABORT Transaction discarded because of previous errors.");
        r.get(4).complete();
        assertThat(tx.done).isCompletedExceptionally();
        assertThat(tx.done.handle((v, e) -> e.getMessage()).join()).contains("OOM");
    }

    @Test
    void failsWhenExecAnswersAnErrorInsideOrTooFewReplies() {
        ConsumerRedis.Transaction inside = new ConsumerRedis.Transaction(twoCommands());
        List<ConsumerRedis.Reply> r = inside.replies();
        r.forEach(x -> x.encode(Unpooled.buffer()));
        r.subList(0, 4).forEach(ConsumerRedis.Reply::complete);
        r.get(4).multi(3);
        r.get(4).set(1L);
        r.get(4).setError("WRONGTYPE Operation against a key holding the wrong kind of value");
        r.get(4).set(1L);
        r.get(4).complete();
        assertThat(inside.done).isCompletedExceptionally();

        ConsumerRedis.Transaction few = new ConsumerRedis.Transaction(twoCommands());
        r = few.replies();
        r.forEach(x -> x.encode(Unpooled.buffer()));
        r.subList(0, 4).forEach(ConsumerRedis.Reply::complete);
        r.get(4).multi(2);
        r.get(4).set(1L);
        r.get(4).set(1L);
        r.get(4).complete();
        assertThat(few.done).isCompletedExceptionally();
    }

    @Test
    void failsWhenAQueuedCommandGetsAnotherReply() {
        ConsumerRedis.Transaction tx = new ConsumerRedis.Transaction(twoCommands());
        List<ConsumerRedis.Reply> r = tx.replies();
        r.forEach(x -> x.encode(Unpooled.buffer()));
        r.get(0).complete();
        r.get(1).set(3L); // a reply out of step: not +QUEUED
        r.get(1).complete();
        assertThat(tx.done).isCompletedExceptionally();
    }

    /** After a reconnect Lettuce writes unanswered commands again: each slot then pings, and the outcome is unknown. */
    @Test
    void aResentTransactionPingsPerSlotAndCountsAsFailed() {
        ConsumerRedis.Transaction tx = new ConsumerRedis.Transaction(twoCommands());
        List<ConsumerRedis.Reply> r = tx.replies();
        r.forEach(x -> x.encode(Unpooled.buffer()));
        r.get(0).complete(); // MULTI answered before the connection dropped
        ByteBuf again = Unpooled.buffer();
        r.subList(1, 5).forEach(x -> x.encode(again));
        assertThat(again.toString(StandardCharsets.UTF_8)).isEqualTo("*1\r\n$4\r\nPING\r\n".repeat(4));
        r.subList(1, 5).forEach(x -> {
            x.set(ByteBuffer.wrap(b("PONG")));
            x.complete();
        });
        assertThat(tx.done).isCompletedExceptionally();
    }

    @Test
    void aCancelledSlotFailsTheTransactionAndTellsLettuce() {
        ConsumerRedis.Transaction tx = new ConsumerRedis.Transaction(twoCommands());
        ConsumerRedis.Reply slot = tx.replies().get(2);
        boolean[] told = new boolean[1];
        slot.onComplete((v, failure) -> told[0] = failure != null);
        slot.cancel();
        assertThat(told[0]).isTrue();
        assertThat(slot.isDone()).isTrue();
        assertThat(tx.done).isCompletedExceptionally();
    }
}
